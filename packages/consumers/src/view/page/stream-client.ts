import type { StreamFrames, ViewStatus } from '../view-model';

export interface StreamHandlers {
  status(status: ViewStatus): void;
  update(frame: StreamFrames['update']): void;
  reset(): void;
  /** The connection to the viewer dropped (true) or came back after a drop (false). */
  connection(lost: boolean): void;
}

/**
 * The server-sent events stream. EventSource reconnects by itself and sends the last id it saw
 * (`Last-Event-ID`), so the server replays what was missed; reopening it for another
 * conversation passes that id as `?after=`.
 */
export class StreamClient {
  private source: EventSource | undefined;
  private lastId: string | undefined;
  private lost = false;

  constructor(private readonly handlers: StreamHandlers) {}

  /** Where to resume from, when nothing newer came on the stream. */
  resumeFrom(cursor: string): void {
    this.lastId ??= cursor;
  }

  open(conversation: string | null): void {
    this.source?.close();
    const query = new URLSearchParams();
    if (conversation !== null) query.set('conversation', conversation);
    if (this.lastId) query.set('after', this.lastId);
    const source = new EventSource(`/api/stream?${query}`);
    this.source = source;
    const remember = (event: MessageEvent) => {
      if (event.lastEventId) this.lastId = event.lastEventId;
    };
    source.addEventListener('status', (event) =>
      this.handlers.status(JSON.parse((event as MessageEvent).data)),
    );
    source.addEventListener('update', (event) => {
      remember(event as MessageEvent);
      this.handlers.update(JSON.parse((event as MessageEvent).data));
    });
    source.addEventListener('reset', (event) => {
      remember(event as MessageEvent);
      this.handlers.reset();
    });
    source.addEventListener('open', () => {
      if (!this.lost) return;
      this.lost = false;
      this.handlers.connection(false);
    });
    source.addEventListener('error', () => {
      if (this.lost || source !== this.source) return;
      this.lost = true;
      this.handlers.connection(true);
    });
  }

  /** Forget the position: the next `open` starts from the snapshot given to `resumeFrom`. */
  restart(): void {
    this.lastId = undefined;
  }
}
