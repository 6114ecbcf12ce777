import { type ParsedEvent, parseEventMessage } from '@broker/core';
import { BodyMultiset } from './body-multiset';
import type { ConversationHistory } from './conversation-history';
import { ConversationIndex, type ListQuery } from './conversation-index';
import { toViewItem } from './event-view';
import { LiveEvents } from './live-events';
import type { StreamHub } from './stream-hub';
import type {
  ConversationPage,
  HistoryState,
  SourceState,
  Transcript,
  ViewItem,
  ViewStatus,
} from './view-model';

export interface ViewDataOptions {
  hub: StreamHub;
  /** Where events that happened before come from, if anywhere. */
  history?: ConversationHistory | undefined;
  /** What the source reads, for the page (censored). */
  sourceDescription: string;
  /** Characters of event bodies kept in memory for transcripts (live events). */
  maxLiveChars: number;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A stored or received body as a transcript item; a body that no longer parses is shown raw. */
function itemFromBody(body: string, seq: number): ViewItem {
  try {
    return toViewItem(parseEventMessage(body).event, body, seq);
  } catch {
    return { seq, type: '', timestamp: null, raw: body, kind: 'unknown' };
  }
}

/**
 * Everything the viewer knows: the conversation list (history and live), the live events kept
 * for transcripts, and how the source and the history are doing. Live events reach the pages
 * through the hub as they arrive.
 */
export class ViewData {
  private readonly index = new ConversationIndex();
  private readonly live: LiveEvents;
  private readonly hub: StreamHub;
  private readonly history: ConversationHistory | undefined;
  private readonly current: ViewStatus;
  /**
   * While the history loads, an event may be read from the store and also arrive live (a sink
   * stored it meanwhile): each occurrence is counted once in the list.
   */
  private loading = false;
  private readonly liveWhileLoading = new BodyMultiset();
  private readonly storedWhileLoading = new BodyMultiset();

  constructor(options: ViewDataOptions) {
    this.hub = options.hub;
    this.history = options.history;
    this.live = new LiveEvents(options.maxLiveChars);
    this.current = {
      source: { state: 'connecting', description: options.sourceDescription, message: null },
      history: {
        state: options.history ? 'loading' : 'none',
        description: options.history?.description ?? null,
        message: null,
      },
      malformed: 0,
      conversations: 0,
    };
    this.publishStatus();
  }

  status(): ViewStatus {
    return structuredClone(this.current);
  }

  setSourceState(state: SourceState, message: string | null = null): void {
    const source = this.current.source;
    if (source.state === state && source.message === message) return;
    this.current.source = { ...source, state, message };
    this.publishStatus();
  }

  countMalformed(): void {
    this.current.malformed++;
    this.publishStatus();
  }

  /** One event from the broker: counted in the list, kept for its transcript, sent to the pages. */
  receive(senderId: string, event: ParsedEvent, body: string): void {
    const seq = this.hub.nextSeq();
    const item = toViewItem(event, body, seq);
    this.live.add(senderId, { seq, body });
    if (this.loading && this.storedWhileLoading.take(senderId, body)) {
      const summary = this.index.get(senderId);
      if (summary) this.hub.update(senderId, summary, false, item);
      return;
    }
    if (this.loading) this.liveWhileLoading.add(senderId, body);
    const { summary, isNew } = this.index.add(senderId, event);
    this.hub.update(senderId, summary, isNew, item);
    if (isNew) this.current.conversations = this.index.size;
  }

  /** Reads the stored conversations into the list (until `signal` aborts); the pages reload it when the status says `ready`. */
  async loadHistory(signal: AbortSignal): Promise<void> {
    if (!this.history) return;
    this.loading = true;
    this.setHistoryState('loading');
    try {
      for await (const { senderId, body } of this.history.events()) {
        if (signal.aborted) return;
        if (this.liveWhileLoading.take(senderId, body)) continue;
        this.storedWhileLoading.add(senderId, body);
        try {
          this.index.add(senderId, parseEventMessage(body).event);
        } catch {
          this.current.malformed++;
        }
      }
      this.current.conversations = this.index.size;
      this.setHistoryState('ready');
    } catch (error) {
      this.current.conversations = this.index.size;
      this.setHistoryState('failed', errorText(error));
    } finally {
      this.loading = false;
      this.liveWhileLoading.clear();
      this.storedWhileLoading.clear();
    }
  }

  listPage(query: ListQuery): ConversationPage {
    return {
      ...this.index.list(query),
      page: query.page,
      pageSize: query.pageSize,
      cursor: this.hub.cursor(),
    };
  }

  /**
   * One conversation: its stored events, then those received live that the store does not hold
   * (yet). Undefined for a conversation nobody has seen.
   */
  async transcript(senderId: string): Promise<Transcript | undefined> {
    if (!this.index.get(senderId)) return undefined;
    let stored: string[] = [];
    let historyError: string | null = null;
    if (this.history) {
      try {
        stored = await this.history.conversation(senderId);
      } catch (error) {
        historyError = errorText(error);
      }
    }
    // Taken after the store answered: every update up to `seq` is in the transcript.
    const received = this.live.events(senderId);
    const seq = this.hub.lastSeq;
    const inStore = new BodyMultiset();
    for (const body of stored) inStore.add(senderId, body);
    const items = [
      ...stored.map((body) => itemFromBody(body, 0)),
      ...received
        .filter((event) => !inStore.take(senderId, event.body))
        .map((e) => itemFromBody(e.body, e.seq)),
    ];
    return {
      senderId,
      items,
      seq,
      cursor: this.hub.cursor(),
      incomplete: this.live.incomplete(senderId),
      historyError,
    };
  }

  private setHistoryState(state: HistoryState, message: string | null = null): void {
    this.current.history = { ...this.current.history, state, message };
    this.publishStatus();
  }

  private publishStatus(): void {
    this.hub.setStatus(this.status());
  }
}
