import { connect, createServer, type Server, type Socket } from 'node:net';

/** How the proxy treats traffic: forward at once, hold everything (a cut link), or forward after a delay. */
export type LinkMode = { kind: 'open' } | { kind: 'cut' } | { kind: 'slow'; delayMs: number };

type Item = { at: number; chunk: Buffer } | { at: number; end: 'end' | 'destroy' };

/** One direction of one connection: what arrived and is not forwarded yet, in order. */
class Pipe {
  private readonly items: Item[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly to: Socket,
    private readonly mode: () => LinkMode,
  ) {}

  push(item: Item): void {
    this.items.push(item);
    this.drain();
  }

  get heldBytes(): number {
    return this.items.reduce((sum, item) => sum + ('chunk' in item ? item.chunk.length : 0), 0);
  }

  /** Forwards what the current mode lets through; called on every arrival and mode change. */
  drain(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const mode = this.mode();
    while (this.items.length > 0 && mode.kind !== 'cut') {
      const item = this.items[0]!;
      if (mode.kind === 'slow') {
        const wait = item.at + mode.delayMs - Date.now();
        if (wait > 0) {
          this.timer = setTimeout(() => this.drain(), wait);
          return;
        }
      }
      this.items.shift();
      if ('chunk' in item) this.to.write(item.chunk);
      else if (item.end === 'end') this.to.end();
      else this.to.destroy();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.items.length = 0;
  }
}

/**
 * A TCP proxy in front of a broker that a fault test controls: `cut()` holds all traffic in
 * both directions (new connections too) and closes nothing, as a dead link looks to both ends;
 * `slow(ms)` forwards every chunk `ms` after it arrived, in order; `resume()` forwards at once
 * again, held data first. Closes travel in order with the data, so a cut hides them too.
 */
export class TcpProxy {
  private current: LinkMode = { kind: 'open' };
  private readonly pipes = new Set<Pipe>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on `listenPort` (default: any free port); the same port again restarts a closed proxy. */
  static async start(targetHost: string, targetPort: number, listenPort = 0): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, targetHost, targetPort));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
    proxy = new TcpProxy(server, port);
    return proxy;
  }

  /** Bytes held and not yet forwarded, in both directions of every connection. */
  get heldBytes(): number {
    let bytes = 0;
    for (const pipe of this.pipes) bytes += pipe.heldBytes;
    return bytes;
  }

  cut(): void {
    this.setMode({ kind: 'cut' });
  }

  slow(delayMs: number): void {
    this.setMode({ kind: 'slow', delayMs });
  }

  resume(): void {
    this.setMode({ kind: 'open' });
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const pipe of this.pipes) pipe.stop();
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private setMode(mode: LinkMode): void {
    this.current = mode;
    for (const pipe of this.pipes) pipe.drain();
  }

  private accept(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    const toUpstream = new Pipe(upstream, () => this.current);
    const toClient = new Pipe(client, () => this.current);
    for (const [socket, pipe] of [
      [client, toUpstream],
      [upstream, toClient],
    ] as const) {
      this.sockets.add(socket);
      this.pipes.add(pipe);
      socket.on('data', (chunk: Buffer) => pipe.push({ at: Date.now(), chunk }));
      socket.on('end', () => pipe.push({ at: Date.now(), end: 'end' }));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        pipe.push({ at: Date.now(), end: 'destroy' });
        this.sockets.delete(socket);
      });
    }
  }
}
