import { afterEach, describe, expect, it } from 'vitest';
import type { EventBroker } from '../broker/event-broker';
import { InMemoryEventBroker } from '../broker/in-memory-event-broker';
import { actionExecuted, botUttered, sessionStarted, slotSet, userUttered } from '../events/builders';
import type { ParsedEvent } from '../events/event-types';
import { DialogueStateTracker } from '../tracker/dialogue-state-tracker';
import type { TrackerStore } from '../tracker/tracker-store';

export interface TrackerStoreContractHarness {
  /** A fresh, empty store streaming to `eventBroker`. */
  create(eventBroker: EventBroker): Promise<TrackerStore> | TrackerStore;
  /** Releases the store (connections, tables). */
  destroy?(store: TrackerStore): Promise<void> | void;
}

/**
 * What every TrackerStore must do about streaming: exactly the new events, in tracker order,
 * one message per event, before persisting; sessions, capped history and replaced events too.
 */
export function describeTrackerStoreContract(name: string, harness: TrackerStoreContractHarness): void {
  describe(`TrackerStore contract: ${name}`, () => {
    let store: TrackerStore | undefined;
    let broker: InMemoryEventBroker;

    const setup = async () => {
      broker = new InMemoryEventBroker();
      store = await harness.create(broker);
      return store;
    };

    /** What the broker carried, as [sender_id, event type, name/text] triples. */
    const streamed = async () => {
      await broker.flush(5000);
      return broker.messages.map(({ senderId, event }) => [senderId, event.event, label(event)]);
    };

    afterEach(async () => {
      if (store) await harness.destroy?.(store);
      await broker.close();
      store = undefined;
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

    it('does not persist a tracker whose events could not be published', async () => {
      const s = await setup();
      const tracker = await s.getOrCreateTracker('unpublished');
      await broker.close();
      tracker.update(userUttered('lost?'));
      await expect(s.save(tracker)).rejects.toMatchObject({ code: 'BROKER_CLOSED' });
      expect((await s.retrieve('unpublished'))!.events).toHaveLength(1);
    });
  });
}

function label(event: ParsedEvent): string {
  const e = event as { name?: unknown; text?: unknown };
  return String(e.name ?? e.text ?? event.event);
}
