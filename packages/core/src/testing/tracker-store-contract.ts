import { afterEach, describe, expect, it } from 'vitest';
import type { EventBroker, UndeliveredEvent } from '../broker/event-broker';
import { InMemoryEventBroker } from '../broker/in-memory-event-broker';
import type { BrokerError } from '../errors/broker-error';
import { actionExecuted, botUttered, sessionStarted, slotSet, userUttered } from '../events/builders';
import type { ParsedEvent } from '../events/event-types';
import { parseEventMessage } from '../events/parse-event';
import { DialogueStateTracker } from '../tracker/dialogue-state-tracker';
import type { TrackerStore } from '../tracker/tracker-store';
import { FailingEventBroker } from './failing-event-broker';

export interface TrackerStoreContractHarness {
  /** A fresh, empty store streaming to `eventBroker`. */
  create(eventBroker: EventBroker): Promise<TrackerStore> | TrackerStore;
  /** Releases the store (connections, tables). */
  destroy?(store: TrackerStore): Promise<void> | void;
}

/**
 * What every TrackerStore must do about streaming: exactly the new events, in tracker order,
 * one message per event, before persisting; sessions, capped history and replaced events too.
 * A broker that refuses events (closed, failed for good, full) never makes `save` fail: the
 * tracker is persisted and the refused events are reported.
 */
export function describeTrackerStoreContract(name: string, harness: TrackerStoreContractHarness): void {
  describe(`TrackerStore contract: ${name}`, () => {
    let store: TrackerStore | undefined;
    let broker: InMemoryEventBroker;
    let otherBroker: EventBroker | undefined;

    const setup = async () => {
      broker = new InMemoryEventBroker();
      store = await harness.create(broker);
      return store;
    };

    /** A store streaming to `eventBroker` instead of the in-memory broker. */
    const setupWith = async (eventBroker: EventBroker) => {
      broker = new InMemoryEventBroker();
      otherBroker = eventBroker;
      store = await harness.create(eventBroker);
      return store;
    };

    /** What the store reported through `undelivered`, as [sender_id, event type, name/text, reason]. */
    const collectUndelivered = (s: TrackerStore) => {
      const reports: { events: UndeliveredEvent[]; error: BrokerError }[] = [];
      s.on('undelivered', (events, error) => reports.push({ events, error }));
      return {
        reports,
        labels: () =>
          reports.flatMap(({ events }) =>
            events.map((u) => {
              const { senderId, event } = parseEventMessage(u.body);
              return [senderId, event.event, label(event), u.reason];
            }),
          ),
      };
    };

    /** What the broker carried, as [sender_id, event type, name/text] triples. */
    const streamed = async () => {
      await broker.flush(5000);
      return broker.messages.map(({ senderId, event }) => [senderId, event.event, label(event)]);
    };

    afterEach(async () => {
      if (store) await harness.destroy?.(store);
      await broker.close();
      await otherBroker?.close();
      store = undefined;
      otherBroker = undefined;
    });

    it('creates a conversation with action_listen and streams it', async () => {
      const s = await setup();
      const tracker = await s.getOrCreateTracker('new-user');
      expect(tracker.events.map((e) => e.event)).toEqual(['action']);
      expect(await streamed()).toEqual([['new-user', 'action', 'action_listen']]);
      expect(await s.keys()).toEqual(['new-user']);
    });

    it('streams exactly the events added since the last save, in order, one message each', async () => {
      const s = await setup();
      const tracker = await s.getOrCreateTracker('turns');
      tracker.update(userUttered('hi')).update(actionExecuted('utter_greet')).update(botUttered('Hey!'));
      await s.save(tracker);
      await s.save(tracker); // nothing new: nothing streamed
      const again = (await s.retrieve('turns'))!;
      again.update(slotSet('mood', 'great'));
      await s.save(again);
      expect(await streamed()).toEqual([
        ['turns', 'action', 'action_listen'],
        ['turns', 'user', 'hi'],
        ['turns', 'action', 'utter_greet'],
        ['turns', 'bot', 'Hey!'],
        ['turns', 'slot', 'mood'],
      ]);
      expect((await s.retrieve('turns'))!.slots).toEqual({ mood: 'great' });
    });

    it('returns the latest session from retrieve and every session from retrieveFullTracker, without re-streaming', async () => {
      const s = await setup();
      const tracker = new DialogueStateTracker('sessions');
      tracker.updateWithEvents([
        actionExecuted('action_session_start'),
        sessionStarted(),
        actionExecuted('action_listen'),
        userUttered('first'),
        actionExecuted('action_session_start'),
        sessionStarted(),
        slotSet('carried', true),
        actionExecuted('action_listen'),
      ]);
      await s.save(tracker);
      const latest = (await s.retrieve('sessions'))!;
      expect(latest.events.map(label)).toEqual([
        'action_session_start',
        'session_started',
        'carried',
        'action_listen',
      ]);
      expect(latest.eventOffset).toBe(4);
      latest.update(userUttered('second'));
      await s.save(latest);
      const full = (await s.retrieveFullTracker('sessions'))!;
      expect(full.events).toHaveLength(9);
      expect((await streamed()).map((m) => m[2])).toEqual([...tracker.events.map(label), 'second']);
    });

    it('keeps streaming new events when the tracker history is capped', async () => {
      const s = await setup();
      const tracker = await s.getOrCreateTracker('capped', { maxEventHistory: 3 });
      for (let i = 0; i < 5; i++) {
        tracker.update(userUttered(`m${i}`));
        await s.save(tracker);
      }
      expect(tracker.events).toHaveLength(3);
      expect((await streamed()).map((m) => m[2])).toEqual(['action_listen', 'm0', 'm1', 'm2', 'm3', 'm4']);
    });

    it('streams the events after the shared prefix when events are replaced', async () => {
      const s = await setup();
      const tracker = await s.getOrCreateTracker('replaced');
      tracker.updateWithEvents([userUttered('a', { timestamp: 1 }), userUttered('b', { timestamp: 2 })]);
      await s.save(tracker);
      const kept = tracker.events.slice(0, 2);
      tracker.replaceEvents([
        ...kept,
        userUttered('B', { timestamp: 3 }),
        userUttered('c', { timestamp: 4 }),
      ]);
      await s.save(tracker);
      expect((await streamed()).map((m) => m[2])).toEqual(['action_listen', 'a', 'b', 'B', 'c']);
    });

    it('saves the tracker when the broker is closed, and reports the events it refused', async () => {
      const s = await setup();
      const { reports, labels } = collectUndelivered(s);
      const tracker = await s.getOrCreateTracker('unpublished');
      await broker.close();
      tracker.update(userUttered('kept?')).update(botUttered('yes'));
      await s.save(tracker);
      expect((await s.retrieve('unpublished'))!.events.map(label)).toEqual(['action_listen', 'kept?', 'yes']);
      expect(labels()).toEqual([
        ['unpublished', 'user', 'kept?', 'rejected'],
        ['unpublished', 'bot', 'yes', 'rejected'],
      ]);
      expect(reports[0]!.error.code).toBe('BROKER_CLOSED');
      expect(s.stats().unpublished).toBe(2);
      // The next save streams only what is new since: the refused events are not sent again.
      tracker.update(slotSet('after', true));
      await s.save(tracker);
      expect(s.stats().unpublished).toBe(3);
    });

    it('keeps saving when the broker failed for good (bad credentials), reporting every refused event', async () => {
      const failing = new FailingEventBroker({ retryable: false });
      const s = await setupWith(failing);
      const { reports, labels } = collectUndelivered(s);
      const tracker = await s.getOrCreateTracker('failed-broker');
      expect((await failing.failedOnce).code).toBe('BROKER_AUTHENTICATION');
      for (const text of ['one', 'two']) {
        tracker.update(userUttered(text));
        await s.save(tracker);
      }
      expect((await s.retrieve('failed-broker'))!.events.map(label)).toEqual(['action_listen', 'one', 'two']);
      expect(labels()).toEqual([
        ['failed-broker', 'user', 'one', 'rejected'],
        ['failed-broker', 'user', 'two', 'rejected'],
      ]);
      expect(reports.every((r) => r.error.code === 'BROKER_CLOSED')).toBe(true);
      expect(s.stats().unpublished).toBe(2);
    });

    it('streams again through a broker that failed with a retryable error: the next save restarts it', async () => {
      const failing = new FailingEventBroker({ retryable: true });
      const s = await setupWith(failing);
      const tracker = await s.getOrCreateTracker('retried');
      expect((await failing.failedOnce).code).toBe('BROKER_CONNECTION');
      tracker.update(userUttered('after the outage'));
      await s.save(tracker);
      await failing.flush(5000);
      expect(failing.messages.map(({ event }) => label(event))).toEqual(['after the outage']);
      expect(s.stats().unpublished).toBe(0);
    });

    it('saves the tracker when the buffer is full under the reject policy, reporting the refused events', async () => {
      const full = new InMemoryEventBroker({ buffer: { maxEvents: 2, overflow: 'reject' } });
      const s = await setupWith(full);
      const { labels } = collectUndelivered(s);
      const tracker = new DialogueStateTracker('full');
      tracker.updateWithEvents([userUttered('a'), userUttered('b'), userUttered('c'), userUttered('d')]);
      await s.save(tracker);
      expect((await s.retrieve('full'))!.events.map(label)).toEqual(['a', 'b', 'c', 'd']);
      // The first refusal stops the save's stream, so no later event overtakes a refused one.
      expect(labels()).toEqual([
        ['full', 'user', 'c', 'rejected'],
        ['full', 'user', 'd', 'rejected'],
      ]);
      expect(full.stats()).toMatchObject({ published: 2, rejected: 1 });
    });

    it('still refuses to save a tracker holding an event that is not a Rasa event', async () => {
      const s = await setup();
      const tracker = await s.getOrCreateTracker('invalid');
      tracker.update({ event: 'slot', timestamp: Number.NaN, name: 'x', value: 1 } as never);
      await expect(s.save(tracker)).rejects.toMatchObject({ code: 'BROKER_INVALID_EVENT' });
      expect((await s.retrieve('invalid'))!.events).toHaveLength(1);
    });
  });
}

function label(event: ParsedEvent): string {
  const e = event as { name?: unknown; text?: unknown };
  return String(e.name ?? e.text ?? event.event);
}
