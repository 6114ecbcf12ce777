/**
 * What the `broker view` server sends the page: plain data, shared by the server (which maps
 * events to it) and the page (which renders it with DOM text APIs). Types only, no code, so the
 * page bundle can import it without Node.
 */

/** One entity of a user message or an `entities` event; `value` as JSON text unless a string. */
export interface EntityView {
  entity: string;
  value: string;
  confidence: number | null;
  extractor: string | null;
  role: string | null;
  group: string | null;
}

/** A button or quick reply of a bot message; `url` only when it is an http(s) address. */
export interface ButtonView {
  title: string;
  payload: string | null;
  url: string | null;
}

/** A link the page may show as a clickable `<a>`: `href` is an http(s) address, checked on the server and again in the page. */
export interface LinkView {
  label: string;
  href: string;
}

interface ItemBase {
  /** Arrival order in this viewer (history first); the key of live updates. */
  seq: number;
  /** The wire `event` name. */
  type: string;
  /** Seconds since the epoch, when the event has one. */
  timestamp: number | null;
  /** The wire body exactly as it was received. */
  raw: string;
}

export type ViewItem = ItemBase &
  (
    | {
        kind: 'user';
        text: string | null;
        intent: { name: string; confidence: number | null } | null;
        entities: EntityView[];
        channel: string | null;
      }
    | {
        kind: 'bot';
        text: string | null;
        buttons: ButtonView[];
        /** Images and attachments as links (never loaded by the page). */
        links: LinkView[];
        /** Other structured content (custom payloads, carousels) as JSON text. */
        extra: string | null;
      }
    | { kind: 'agent'; text: string | null }
    | { kind: 'action'; name: string; policy: string | null; confidence: number | null; rejected: boolean }
    | { kind: 'slot'; name: string; value: string }
    | { kind: 'entities'; entities: EntityView[] }
    /** An active loop or form (Rasa 1.x `form`): `name` null when it was deactivated. */
    | { kind: 'loop'; name: string | null }
    | { kind: 'session' }
    /** Restart, undo, rewind, reminders, pause, ...: a line of text between the messages. */
    | { kind: 'marker'; label: string }
    /** An event type this version does not know: shown raw. */
    | { kind: 'unknown' }
  );

export type ViewItemKind = ViewItem['kind'];

/** One line of the conversation list. */
export interface ConversationSummary {
  senderId: string;
  /** Event timestamps (seconds) of the first and the last event. */
  firstAt: number | null;
  lastAt: number | null;
  events: number;
  /** User messages. */
  turns: number;
  /** The text of the latest user message (cut to 200 characters). */
  latestUserMessage: string | null;
  /** Intents of its user messages, for the intent filter. */
  intents: string[];
}

export interface ConversationPage {
  total: number;
  page: number;
  pageSize: number;
  conversations: ConversationSummary[];
  /** Every intent seen, sorted, for the filter. */
  intents: string[];
  /** Where the stream resumes after this answer (`/api/stream?after=`): later updates follow there. */
  cursor: string;
}

export interface Transcript {
  senderId: string;
  items: ViewItem[];
  /** Updates up to this arrival number are in `items`. */
  seq: number;
  cursor: string;
  /** Some of its live events were dropped from memory (`--max-memory`): those the store does not hold are missing. */
  incomplete: boolean;
  /** Why the stored history could not be read, when it could not. */
  historyError: string | null;
}

export type SourceState = 'connecting' | 'live' | 'reconnecting' | 'failed' | 'stopped';
export type HistoryState = 'none' | 'loading' | 'ready' | 'failed';

/** Where events come from and how that goes; nothing of the endpoints file but a censored description. */
export interface ViewStatus {
  source: { state: SourceState; description: string; message: string | null };
  history: { state: HistoryState; description: string | null; message: string | null };
  /** Messages that were not events (not JSON, no sender_id, invalid): skipped. */
  malformed: number;
  conversations: number;
}

/** What the stream (`/api/stream`, server-sent events) carries, by SSE event name. */
export interface StreamFrames {
  status: ViewStatus;
  /**
   * An event arrived: its conversation's new summary, and the event itself when the stream was
   * opened for that conversation (`?conversation=`).
   */
  update: { summary: ConversationSummary; isNew: boolean; item?: ViewItem };
  /** The stream could not resume where the page left off: reload the list and the transcript. */
  reset: Record<string, never>;
}
