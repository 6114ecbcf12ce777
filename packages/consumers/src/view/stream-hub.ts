import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ConversationSummary, StreamFrames, ViewItem, ViewStatus } from './view-model';

export interface StreamHubOptions {
  /** Updates kept for pages that reconnect (`Last-Event-ID`): at most this many ... */
  replayFrames?: number;
  /** ... and this many characters of them. */
  replayChars?: number;
  /** A page that falls this far behind (characters not yet taken by its socket) is dropped; it reconnects and resumes. */
  maxBufferedChars?: number;
  keepAliveMs?: number;
}

interface Update {
  seq: number;
  senderId: string;
  /** The SSE data for pages watching this conversation, and for the others. */
  withItem: string;
  withoutItem: string;
}

interface Client {
  response: ServerResponse;
  conversation: string | undefined;
}

/** The browser's EventSource waits this long before reconnecting. */
const RETRY_MS = 1000;

/**
 * The live side of the page: server-sent events. Every event becomes one `update` with an id
 * `<boot>-<seq>`; the last updates are kept, so a page that reconnects (EventSource sends
 * `Last-Event-ID` by itself) or opens the stream after loading a snapshot (`?after=`) gets
 * exactly what it missed, or a `reset` when that is no longer kept (or the server restarted).
 * One-way is all the page needs, and EventSource reconnects on its own.
 */
export class StreamHub {
  /** Tells this server's updates from a previous run's: sequence numbers restart with the process. */
  readonly bootId = randomUUID().slice(0, 8);
  private seq = 0;
  private readonly recent: Update[] = [];
  private recentChars = 0;
  private readonly clients = new Set<Client>();
  private readonly keepAlive: NodeJS.Timeout;
  private readonly replayFrames: number;
  private readonly replayChars: number;
  private readonly maxBufferedChars: number;
  private status: ViewStatus | undefined;

  constructor(options: StreamHubOptions = {}) {
    this.replayFrames = options.replayFrames ?? 10_000;
    this.replayChars = options.replayChars ?? 32 * 1024 * 1024;
    this.maxBufferedChars = options.maxBufferedChars ?? 16 * 1024 * 1024;
    this.keepAlive = setInterval(() => this.broadcast(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
    this.keepAlive.unref();
  }

  /** The number of the next update: events are numbered in arrival order. */
  nextSeq(): number {
    return this.seq + 1;
  }

  /** Where a snapshot taken now leaves off, for `?after=`. */
  cursor(): string {
    return `${this.bootId}-${this.seq}`;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Sends one event's update; `item.seq` must be `nextSeq()`. */
  update(senderId: string, summary: ConversationSummary, isNew: boolean, item: ViewItem): void {
    this.seq = item.seq;
    const frame: Update = {
      seq: item.seq,
      senderId,
      withItem: JSON.stringify({ summary, isNew, item } satisfies StreamFrames['update']),
      withoutItem: JSON.stringify({ summary, isNew } satisfies StreamFrames['update']),
    };
    this.remember(frame);
    for (const client of this.clients) this.send(client, frame);
  }

  /** Tells every page how the source and the history are doing (also sent to each page that connects). */
  setStatus(status: ViewStatus): void {
    this.status = status;
    this.broadcast(message('status', JSON.stringify(status)));
  }

  /**
   * Serves one page's stream. `resumeFrom` is its `Last-Event-ID` or `?after=`; `conversation`
   * the transcript it shows, whose events it receives in full.
   */
  attach(
    response: ServerResponse,
    options: { resumeFrom: string | undefined; conversation: string | undefined },
  ): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${RETRY_MS}\n\n`);
    if (this.status) response.write(message('status', JSON.stringify(this.status)));
    const client: Client = { response, conversation: options.conversation };
    const missed = this.missedSince(options.resumeFrom);
    if (missed === undefined) response.write(message('reset', '{}', this.cursor()));
    else for (const frame of missed) this.send(client, frame);
    this.clients.add(client);
    response.on('close', () => this.clients.delete(client));
  }

  /** Ends every stream (the pages reconnect to whatever runs next). */
  close(): void {
    clearInterval(this.keepAlive);
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }

  /** The updates after `resumeFrom`, or undefined when they are not all kept (or it is another run's). */
  private missedSince(resumeFrom: string | undefined): Update[] | undefined {
    if (resumeFrom === undefined) return [];
    const match = /^([0-9a-f]{8})-(\d+)$/.exec(resumeFrom);
    if (!match || match[1] !== this.bootId) return undefined;
    const after = Number(match[2]);
    if (after > this.seq) return undefined;
    const oldest = this.recent[0]?.seq ?? this.seq + 1;
    if (after < oldest - 1) return undefined;
    return this.recent.filter((frame) => frame.seq > after);
  }

  private remember(frame: Update): void {
    this.recent.push(frame);
    this.recentChars += frame.withItem.length;
    while (this.recent.length > this.replayFrames || this.recentChars > this.replayChars) {
      this.recentChars -= this.recent.shift()!.withItem.length;
    }
  }

  private send(client: Client, frame: Update): void {
    const data = client.conversation === frame.senderId ? frame.withItem : frame.withoutItem;
    this.write(client, message('update', data, `${this.bootId}-${frame.seq}`));
  }

  private broadcast(text: string): void {
    for (const client of this.clients) this.write(client, text);
  }

  private write(client: Client, text: string): void {
    const { response } = client;
    response.write(text);
    // A page that does not keep up is let go: it reconnects with Last-Event-ID and resumes.
    if (response.writableLength > this.maxBufferedChars) {
      this.clients.delete(client);
      response.destroy();
    }
  }
}

/** One server-sent event; `data` is JSON, so it has no line breaks. */
function message(event: keyof StreamFrames, data: string, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}
