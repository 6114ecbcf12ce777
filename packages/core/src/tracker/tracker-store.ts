import { EventEmitter } from 'node:events';
import type { EventBroker, UndeliveredEvent } from '../broker/event-broker';
import { BrokerError } from '../errors/broker-error';
import { EventValidationError, PublishError } from '../errors/errors';
import { actionExecuted } from '../events/builders';
import type { ParsedEvent } from '../events/event-types';
import { serialiseEvent } from '../events/serialise-event';
import { FallbackWarnings } from '../logging/fallback-warnings';
import { childLogger, type Logger } from '../logging/logger';
import { ReportThrottle } from '../logging/report-throttle';
import { ACTION_LISTEN, DialogueStateTracker } from './dialogue-state-tracker';

export interface TrackerStoreEvents {
  /**
   * Events of a saved tracker that the broker refused (closed, failed for good, buffer full
   * under `reject`, too large): the tracker was persisted, these never reached the broker.
   * `reason` is `rejected`; the error says why.
   */
  undelivered: [events: UndeliveredEvent[], error: BrokerError];
}

/** Counters since the store was created. */
export interface TrackerStoreStats {
  /** Events of saved trackers that the broker refused (reported through `undelivered`). */
  unpublished: number;
}

/** The conversation store contract, as Rasa's `TrackerStore`. */
export interface TrackerStore {
  readonly eventBroker: EventBroker | null;
  /** The stored tracker (its latest session), or a new one (saved at once, like Rasa). */
  getOrCreateTracker(senderId: string, options?: GetOrCreateTrackerOptions): Promise<DialogueStateTracker>;
  /** The latest session of the stored conversation, or null. */
  retrieve(senderId: string): Promise<DialogueStateTracker | null>;
  /** Every session of the stored conversation, or null. */
  retrieveFullTracker(senderId: string): Promise<DialogueStateTracker | null>;
  /**
   * Streams the events new since the stored tracker to the broker, in order, then persists. The
   * broker never makes it fail: events `publish` refuses are reported (`undelivered`, logs,
   * `stats().unpublished`) and the tracker is persisted anyway. It rejects for a storage failure,
   * or an EventValidationError when the tracker holds an event that is not a valid Rasa event.
   */
  save(tracker: DialogueStateTracker): Promise<void>;
  /** Conversation ids. */
  keys(): Promise<string[]>;
  stats(): TrackerStoreStats;
  on<K extends keyof TrackerStoreEvents>(event: K, listener: (...args: TrackerStoreEvents[K]) => void): this;
  off<K extends keyof TrackerStoreEvents>(event: K, listener: (...args: TrackerStoreEvents[K]) => void): this;
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
  /** Where logs go. Without one, refused events nobody listens for are written to stderr as rate-limited process warnings. */
  logger?: Logger;
}

/** Refused publishes are logged at most this often, with how many there were. */
const UNPUBLISHED_LOG_INTERVAL_MS = 1000;

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
 *
 * A broker that refuses events (closed, failed, full) never fails `save`: the tracker is
 * persisted and the refused events are reported, so a bot keeps answering while its broker is
 * down. A broker that failed with a retryable error starts again at the next publish.
 */
export abstract class StreamingTrackerStore extends EventEmitter<TrackerStoreEvents> implements TrackerStore {
  readonly eventBroker: EventBroker | null;
  protected readonly logger: Logger;
  private unpublished = 0;
  private readonly unpublishedLog = new ReportThrottle(UNPUBLISHED_LOG_INTERVAL_MS);
  /** Only without a logger: where refusals nobody listens for go. */
  private readonly fallback: FallbackWarnings | undefined;

  protected constructor(options: StreamingTrackerStoreOptions = {}) {
    super();
    this.eventBroker = options.eventBroker ?? null;
    this.logger = childLogger(options.logger, { component: 'tracker-store' });
    this.fallback = options.logger ? undefined : new FallbackWarnings('tracker store');
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

  stats(): TrackerStoreStats {
    return { unpublished: this.unpublished };
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

  /**
   * Publishes one message per event, in order: `{"sender_id": ..., ...event}`. When `publish`
   * refuses one, that event and the rest are reported instead (publishing the rest would put a
   * gap in the conversation's order); an invalid event still throws.
   */
  protected stream(senderId: string, events: readonly ParsedEvent[]): void {
    if (!this.eventBroker) return;
    for (let index = 0; index < events.length; index++) {
      try {
        this.eventBroker.publish({ sender_id: senderId, ...events[index] } as never);
      } catch (error) {
        if (EventValidationError.isInstance(error)) throw error;
        this.reportUnpublished(senderId, events.slice(index), error);
        return;
      }
    }
  }

  private reportUnpublished(senderId: string, events: readonly ParsedEvent[], cause: unknown): void {
    const error = BrokerError.isInstance(cause)
      ? cause
      : new PublishError(`The event broker's publish failed: ${String((cause as Error)?.message ?? cause)}`, {
          cause,
        });
    const undelivered: UndeliveredEvent[] = events.map((event) => ({
      senderId,
      body: serialiseEvent(senderId, event),
      reason: 'rejected',
    }));
    this.unpublished += undelivered.length;
    const count = this.unpublishedLog.take(undelivered.length);
    if (count > 0) {
      const message = `the event broker refused ${count} event(s) (conversation ${JSON.stringify(senderId)}${count > undelivered.length ? ' and others' : ''}); the tracker is saved without streaming them: ${error.message}`;
      this.logger.error({ err: error, code: error.code, unpublished: count, senderId }, message);
      if (this.listenerCount('undelivered') === 0) this.fallback?.warn(error, message, 'undelivered');
    }
    if (this.listenerCount('undelivered') > 0) this.emit('undelivered', undelivered, error);
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
