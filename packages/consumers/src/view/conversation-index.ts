import type { ParsedEvent } from '@broker/core';
import type { ConversationSummary } from './view-model';

/** What the list asks for: filters and one page, newest first. */
export interface ListQuery {
  /** Conversations whose sender id contains this (case-insensitive). */
  sender?: string | undefined;
  /** Conversations with a user message of this intent. */
  intent?: string | undefined;
  /** 1-based. */
  page: number;
  pageSize: number;
}

const LATEST_MESSAGE_CHARS = 200;

/** A summary as it is kept: the intents as a set. */
type Entry = Omit<ConversationSummary, 'intents'> & { intents: Set<string> };

function summary(entry: Entry): ConversationSummary {
  return { ...entry, intents: [...entry.intents] };
}

/** Newest activity first; conversations without timestamps last; then by sender id. */
function newestFirst(a: Entry, b: Entry): number {
  return (b.lastAt ?? -Infinity) - (a.lastAt ?? -Infinity) || (a.senderId < b.senderId ? -1 : 1);
}

function userIntent(event: ParsedEvent): string | null {
  const intent = (event as { parse_data?: { intent?: { name?: unknown } } }).parse_data?.intent?.name;
  return typeof intent === 'string' && intent !== '' ? intent : null;
}

/**
 * The conversation list: one summary per sender id, kept up to date event by event (history
 * and live alike). Only summaries live here; transcripts are read elsewhere.
 */
export class ConversationIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly intents = new Set<string>();

  get size(): number {
    return this.entries.size;
  }

  /** Counts one event into its conversation's summary. */
  add(senderId: string, event: ParsedEvent): { summary: ConversationSummary; isNew: boolean } {
    let entry = this.entries.get(senderId);
    const isNew = entry === undefined;
    if (!entry) {
      entry = {
        senderId,
        firstAt: null,
        lastAt: null,
        events: 0,
        turns: 0,
        latestUserMessage: null,
        intents: new Set(),
      };
      this.entries.set(senderId, entry);
    }
    entry.events++;
    const at =
      typeof event.timestamp === 'number' && Number.isFinite(event.timestamp) ? event.timestamp : null;
    if (at !== null) {
      entry.firstAt = entry.firstAt === null ? at : Math.min(entry.firstAt, at);
      entry.lastAt = entry.lastAt === null ? at : Math.max(entry.lastAt, at);
    }
    if (event.event === 'user') {
      entry.turns++;
      const text = (event as { text?: unknown }).text;
      entry.latestUserMessage = typeof text === 'string' ? text.slice(0, LATEST_MESSAGE_CHARS) : null;
      const intent = userIntent(event);
      if (intent) {
        entry.intents.add(intent);
        this.intents.add(intent);
      }
    }
    return { summary: summary(entry), isNew };
  }

  get(senderId: string): ConversationSummary | undefined {
    const entry = this.entries.get(senderId);
    return entry && summary(entry);
  }

  /** One page of the conversations that pass the filters, and how many pass them. */
  list(query: ListQuery): { total: number; conversations: ConversationSummary[]; intents: string[] } {
    const sender = query.sender?.toLowerCase();
    const matching: Entry[] = [];
    for (const entry of this.entries.values()) {
      if (sender && !entry.senderId.toLowerCase().includes(sender)) continue;
      if (query.intent && !entry.intents.has(query.intent)) continue;
      matching.push(entry);
    }
    matching.sort(newestFirst);
    const start = (query.page - 1) * query.pageSize;
    return {
      total: matching.length,
      conversations: matching.slice(start, start + query.pageSize).map(summary),
      intents: [...this.intents].sort(),
    };
  }
}
