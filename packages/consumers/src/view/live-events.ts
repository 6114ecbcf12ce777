/** One event as the viewer received it: its arrival number and its wire body. */
export interface ReceivedEvent {
  seq: number;
  body: string;
}

interface Kept {
  events: ReceivedEvent[];
  chars: number;
}

/**
 * The event bodies received from the broker, per conversation, for the transcripts: bounded by
 * `maxChars` of bodies altogether. Past the bound, the conversations least recently active lose
 * their kept events (their summaries stay in the list); a transcript says when that happened.
 */
export class LiveEvents {
  /** In order of last activity, oldest first (a Map keeps insertion order; an update re-inserts). */
  private readonly kept = new Map<string, Kept>();
  private readonly dropped = new Set<string>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  add(senderId: string, event: ReceivedEvent): void {
    const kept = this.kept.get(senderId) ?? { events: [], chars: 0 };
    this.kept.delete(senderId);
    this.kept.set(senderId, kept);
    kept.events.push(event);
    kept.chars += event.body.length;
    this.chars += event.body.length;
    for (const [oldest, victim] of this.kept) {
      if (this.chars <= this.maxChars) break;
      this.kept.delete(oldest);
      this.chars -= victim.chars;
      this.dropped.add(oldest);
    }
  }

  /** What is kept of a conversation, in arrival order. */
  events(senderId: string): readonly ReceivedEvent[] {
    return this.kept.get(senderId)?.events ?? [];
  }

  /** Whether some of its events were dropped to stay within the bound. */
  incomplete(senderId: string): boolean {
    return this.dropped.has(senderId);
  }
}
