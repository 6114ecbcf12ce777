import type { EventBroker } from '../broker/event-broker';
import { actionExecuted } from '../events/builders';
import type { ParsedEvent } from '../events/event-types';
import { serialiseEvent } from '../events/serialise-event';
import { childLogger, type Logger } from '../logging/logger';
import { ACTION_LISTEN, DialogueStateTracker } from './dialogue-state-tracker';

/** The conversation store contract, as Rasa's `TrackerStore`. */
export interface TrackerStore {
  readonly eventBroker: EventBroker | null;
  /** The stored tracker (its latest session), or a new one (saved at once, like Rasa). */
  getOrCreateTracker(senderId: string, options?: GetOrCreateTrackerOptions): Promise<DialogueStateTracker>;
  /** The latest session of the stored conversation, or null. */
  retrieve(senderId: string): Promise<DialogueStateTracker | null>;
  /** Every session of the stored conversation, or null. */
  retrieveFullTracker(senderId: string): Promise<DialogueStateTracker | null>;
  /** Streams the events new since the stored tracker to the broker, in order, then persists. */
  save(tracker: DialogueStateTracker): Promise<void>;
  /** Conversation ids. */
  keys(): Promise<string[]>;
}

export interface GetOrCreateTrackerOptions {
  maxEventHistory?: number | null;
  /** Start a new conversation with `action_listen`, as Rasa does. Default true. */
  appendActionListen?: boolean;
}

/** What a store persists per conversation: the retained events and how many there ever were. */
export interface TrackerRecord {
  senderId: string;
  events: ParsedEvent[];
  /** Events of this conversation ever saved, including ones no longer retained. */
  eventCount: number;
}

export interface StreamingTrackerStoreOptions {
  eventBroker?: EventBroker | null;
  logger?: Logger;
}

const sameEvent = (a: ParsedEvent, b: ParsedEvent): boolean =>
  serialiseEvent('_', a, { trusted: true }) === serialiseEvent('_', b, { trusted: true });

/**
 * The part of a tracker store that is the same for every storage: which events are new, and
 * streaming them before persisting. A store implements `loadRecord`, `storeRecord` and `keys`
 * and gets Rasa-compatible streaming for free.
 *
 * New events are found by position, as Rasa does, but counted from the start of the
 * conversation instead of the stored list's length. That fixes two Rasa gaps: a tracker with
 * `maxEventHistory` keeps streaming once its history is full, and saving a latest-session
 * tracker never re-sends earlier sessions. After `replaceEvents`, the events after the prefix
 * old and new share are streamed (Rasa streams only those beyond the old length).
 */
export abstract class StreamingTrackerStore implements TrackerStore {
  readonly eventBroker: EventBroker | null;
  protected readonly logger: Logger;

  protected constructor(options: StreamingTrackerStoreOptions = {}) {
    this.eventBroker = options.eventBroker ?? null;
    this.logger = childLogger(options.logger, { component: 'tracker-store' });
  }

  protected abstract loadRecord(senderId: string): Promise<TrackerRecord | null>;
  protected abstract storeRecord(record: TrackerRecord): Promise<void>;
  abstract keys(): Promise<string[]>;

  async retrieveFullTracker(senderId: string): Promise<DialogueStateTracker | null> {
    const record = await this.loadRecord(senderId);
    if (!record) return null;
    return new DialogueStateTracker(senderId, {
      events: record.events,
      eventOffset: record.eventCount - record.events.length,
    });
  }

  async retrieve(senderId: string): Promise<DialogueStateTracker | null> {
    const full = await this.retrieveFullTracker(senderId);
    return full ? full.latestSession() : null;
  }

  async getOrCreateTracker(
    senderId: string,
    options: GetOrCreateTrackerOptions = {},
  ): Promise<DialogueStateTracker> {
    const stored = await this.retrieve(senderId);
    if (stored) {
      if (options.maxEventHistory == null) return stored;
      return new DialogueStateTracker(senderId, {
        events: stored.events,
        eventOffset: stored.eventOffset,
        maxEventHistory: options.maxEventHistory,
      });
    }
    const tracker = new DialogueStateTracker(senderId, { maxEventHistory: options.maxEventHistory ?? null });
    if (options.appendActionListen ?? true) tracker.update(actionExecuted(ACTION_LISTEN));
    await this.save(tracker);
    return tracker;
  }

  async exists(senderId: string): Promise<boolean> {
    return (await this.loadRecord(senderId)) !== null;
  }

  async save(tracker: DialogueStateTracker): Promise<void> {
    const stored = await this.loadRecord(tracker.senderId);
    const newEvents = this.newEvents(stored, tracker);
    this.stream(tracker.senderId, newEvents);
    await this.storeRecord(this.merge(stored, tracker));
    tracker.markSaved();
  }

  /** The events of `tracker` the broker has not seen, in tracker order. */
  protected newEvents(stored: TrackerRecord | null, tracker: DialogueStateTracker): ParsedEvent[] {
    const storedCount = stored?.eventCount ?? 0;
    const storedOffset = stored ? stored.eventCount - stored.events.length : 0;
    let from = storedCount;
    if (tracker.replacedFrom !== undefined && stored) {
      from = tracker.eventOffset;
      const storedEvents = stored.events;
      while (
        from < tracker.eventCount &&
        from < storedCount &&
        from >= storedOffset &&
        sameEvent(storedEvents[from - storedOffset]!, tracker.events[from - tracker.eventOffset]!)
      ) {
        from++;
      }
    }
    if (tracker.eventCount < storedCount && tracker.replacedFrom === undefined) {
      this.logger.warn(
        { senderId: tracker.senderId, trackerEvents: tracker.eventCount, storedEvents: storedCount },
        'saving a tracker that is older than the stored one; its newer stored events will be overwritten',
      );
    }
    return tracker.events.slice(Math.max(0, from - tracker.eventOffset));
  }

  /** Publishes one message per event, in order: `{"sender_id": ..., ...event}`. */
  protected stream(senderId: string, events: readonly ParsedEvent[]): void {
    if (!this.eventBroker) return;
    for (const event of events) this.eventBroker.publish({ sender_id: senderId, ...event } as never);
  }

  private merge(stored: TrackerRecord | null, tracker: DialogueStateTracker): TrackerRecord {
    if (!stored)
      return { senderId: tracker.senderId, events: [...tracker.events], eventCount: tracker.eventCount };
    const storedOffset = stored.eventCount - stored.events.length;
    const keep = Math.max(0, tracker.eventOffset - storedOffset);
    return {
      senderId: tracker.senderId,
      events: [...stored.events.slice(0, keep), ...tracker.events],
      eventCount: tracker.eventCount,
    };
  }
}
