import type { EventBroker } from '../broker/event-broker';
import type { ParsedEvent } from '../events/event-types';
import type { Logger } from '../logging/logger';
import { StreamingTrackerStore, type TrackerRecord } from './tracker-store';

export interface InMemoryTrackerStoreOptions {
  eventBroker?: EventBroker | null;
  logger?: Logger;
}

/**
 * Rasa's default store: conversations kept in this process, serialised on save so later
 * changes to a tracker object do not leak into the store. Streams new events on every save.
 */
export class InMemoryTrackerStore extends StreamingTrackerStore {
  private readonly records = new Map<string, string>();

  constructor(options: InMemoryTrackerStoreOptions = {}) {
    super(options);
  }

  async keys(): Promise<string[]> {
    return [...this.records.keys()];
  }

  protected async loadRecord(senderId: string): Promise<TrackerRecord | null> {
    const text = this.records.get(senderId);
    if (text === undefined) return null;
    const { events, eventCount } = JSON.parse(text) as { events: ParsedEvent[]; eventCount: number };
    return { senderId, events, eventCount };
  }

  protected async storeRecord(record: TrackerRecord): Promise<void> {
    this.records.set(
      record.senderId,
      JSON.stringify({ events: record.events, eventCount: record.eventCount }),
    );
  }
}
