import type { ActionExecutedEvent, JsonValue, ParsedEvent, UserUtteredEvent } from '../events/event-types';

export const ACTION_LISTEN = 'action_listen';
export const ACTION_SESSION_START = 'action_session_start';

export interface DialogueStateTrackerOptions {
  events?: readonly ParsedEvent[];
  /** Keep only the newest N events (Rasa's `max_event_history`); older ones are cut. */
  maxEventHistory?: number | null;
  /** The domain's slots with their initial values; `reset_slots`/`restart` return to these. */
  slots?: Record<string, JsonValue>;
  /** How many events of this conversation came before `events[0]` (cut by the history limit, or earlier sessions). */
  eventOffset?: number;
}

const isAction = (event: ParsedEvent, name?: string): event is ActionExecutedEvent =>
  event.event === 'action' && (name === undefined || (event as ActionExecutedEvent).name === name);

/** Rasa's `_undo_till_previous`: drop events from the end up to and including the last one of `type`. */
function undoTillPrevious(applied: ParsedEvent[], type: string): void {
  while (applied.length > 0) {
    const last = applied.pop()!;
    if (last.event === type) return;
  }
}

/**
 * One conversation: its sender id and ordered events, with state derived from them the way
 * Rasa derives it (slots from `slot` / `reset_slots` / `restart` / `session_started`,
 * `rewind` and `undo` taken back). Events are numbered from the start of the conversation so a
 * tracker store can tell which ones are new, even when history is capped or split in sessions.
 */
export class DialogueStateTracker {
  readonly senderId: string;
  readonly maxEventHistory: number | null;
  private eventList: ParsedEvent[];
  private offset: number;
  private readonly initialSlots: Record<string, JsonValue>;
  private derived: { slots: Record<string, JsonValue>; applied: ParsedEvent[] } | undefined;
  /** Set by `replaceEvents` until the next save. */
  private replacedSince: number | undefined;

  constructor(senderId: string, options: DialogueStateTrackerOptions = {}) {
    if (typeof senderId !== 'string' || senderId === '') {
      throw new TypeError('A tracker needs a non-empty sender id (the conversation id).');
    }
    this.senderId = senderId;
    this.maxEventHistory = options.maxEventHistory ?? null;
    this.initialSlots = { ...(options.slots ?? {}) };
    this.eventList = [];
    this.offset = options.eventOffset ?? 0;
    for (const event of options.events ?? []) this.append(event);
  }

  /** The retained events, oldest first. */
  get events(): readonly ParsedEvent[] {
    return this.eventList;
  }

  /** Events before `events[0]` that this tracker does not hold (capped history, earlier sessions). */
  get eventOffset(): number {
    return this.offset;
  }

  /** Every event this conversation ever had up to now: `eventOffset + events.length`. */
  get eventCount(): number {
    return this.offset + this.eventList.length;
  }

  /** Current slot values. */
  get slots(): Readonly<Record<string, JsonValue>> {
    return this.state().slots;
  }

  /** Events that still count after `restart`, `session_started`, `rewind` and `undo`. */
  appliedEvents(): readonly ParsedEvent[] {
    return this.state().applied;
  }

  get latestMessage(): UserUtteredEvent | undefined {
    const applied = this.state().applied;
    for (let i = applied.length - 1; i >= 0; i--)
      if (applied[i]!.event === 'user') return applied[i] as UserUtteredEvent;
    return undefined;
  }

  get latestActionName(): string | null | undefined {
    const applied = this.state().applied;
    for (let i = applied.length - 1; i >= 0; i--)
      if (isAction(applied[i]!)) return (applied[i] as ActionExecutedEvent).name;
    return undefined;
  }

  get paused(): boolean {
    let paused = false;
    for (const event of this.state().applied) {
      if (event.event === 'pause') paused = true;
      else if (event.event === 'resume') paused = false;
    }
    return paused;
  }

  /** The active loop (form) name, or null. Legacy `form` events count too. */
  get activeLoop(): string | null {
    let loop: string | null = null;
    for (const event of this.state().applied) {
      if (event.event === 'active_loop' || event.event === 'form')
        loop = (event as { name: string | null }).name;
    }
    return loop;
  }

  /** Appends one event (cutting the oldest beyond `maxEventHistory`). */
  update(event: ParsedEvent): this {
    this.append(event);
    this.derived = undefined;
    return this;
  }

  updateWithEvents(events: Iterable<ParsedEvent>): this {
    for (const event of events) this.append(event);
    this.derived = undefined;
    return this;
  }

  /**
   * Replaces the events (Rasa's PUT /conversations/{id}/tracker/events). On the next save the
   * store streams every event after the longest prefix the old and new lists share.
   */
  replaceEvents(events: Iterable<ParsedEvent>): this {
    this.replacedSince ??= this.offset;
    this.eventList = [];
    for (const event of events) this.append(event);
    this.derived = undefined;
    return this;
  }

  /** The absolute index from which events were replaced since the last save, if they were. */
  get replacedFrom(): number | undefined {
    return this.replacedSince;
  }

  /** Called by the store after a successful save. */
  markSaved(): void {
    this.replacedSince = undefined;
  }

  /**
   * The conversation split into sessions. A session starts at `action_session_start` (when it
   * directly precedes `session_started`) or at `session_started`, as Rasa splits them.
   */
  sessionStartIndexes(): number[] {
    const starts: number[] = [];
    this.eventList.forEach((event, i) => {
      if (event.event !== 'session_started') return;
      const previous = this.eventList[i - 1];
      starts.push(previous && isAction(previous, ACTION_SESSION_START) ? i - 1 : i);
    });
    return starts;
  }

  /** A tracker holding only the latest session (what Rasa's `retrieve` returns). */
  latestSession(): DialogueStateTracker {
    const start = this.sessionStartIndexes().at(-1) ?? 0;
    return new DialogueStateTracker(this.senderId, {
      events: this.eventList.slice(start),
      eventOffset: this.offset + start,
      slots: this.initialSlots,
      maxEventHistory: this.maxEventHistory,
    });
  }

  /** A plain summary like Rasa's tracker `current_state()`. */
  currentState(): Record<string, unknown> {
    const latest = this.latestMessage;
    return {
      sender_id: this.senderId,
      slots: { ...this.slots },
      latest_message: latest?.parse_data ?? null,
      latest_event_time: this.eventList.at(-1)?.timestamp ?? null,
      paused: this.paused,
      active_loop: this.activeLoop === null ? {} : { name: this.activeLoop },
      latest_action_name: this.latestActionName ?? null,
      events: [...this.eventList],
    };
  }

  private append(event: ParsedEvent): void {
    this.eventList.push(event);
    if (this.maxEventHistory !== null && this.eventList.length > this.maxEventHistory) {
      const cut = this.eventList.length - this.maxEventHistory;
      this.eventList.splice(0, cut);
      this.offset += cut;
    }
  }

  private state(): { slots: Record<string, JsonValue>; applied: ParsedEvent[] } {
    if (this.derived) return this.derived;
    let applied: ParsedEvent[] = [];
    for (const event of this.eventList) {
      if (event.event === 'restart' || event.event === 'session_started') applied = [];
      else if (event.event === 'undo') undoTillPrevious(applied, 'action');
      else if (event.event === 'rewind') {
        // A user message implies the action_listen before it: both are taken back.
        undoTillPrevious(applied, 'user');
        undoTillPrevious(applied, 'action');
      } else applied.push(event);
    }
    const slots: Record<string, JsonValue> = { ...this.initialSlots };
    for (const event of applied) {
      if (event.event === 'slot') {
        const { name, value } = event as { name: string; value: JsonValue };
        slots[name] = value;
      } else if (event.event === 'reset_slots') {
        for (const key of Object.keys(slots)) delete slots[key];
        Object.assign(slots, this.initialSlots);
      }
    }
    this.derived = { slots, applied };
    return this.derived;
  }
}
