// A TCP proxy in front of a broker that tests control (see services/README.md, tcp-proxy.d.mts).
import { connect, createServer } from 'node:net';

/** One direction of one connection: what arrived and is not forwarded yet, in order. */
class Pipe {
  /** @type {({ at: number, chunk: Buffer } | { at: number, end: 'end' | 'destroy' })[]} */
  #items = [];
  /** @type {NodeJS.Timeout | undefined} */
  #timer;

  constructor(to, mode) {
    this.to = to;
    this.mode = mode;
  }

  push(item) {
    this.#items.push(item);
    this.drain();
  }

  get heldBytes() {
    return this.#items.reduce((sum, item) => sum + ('chunk' in item ? item.chunk.length : 0), 0);
  }

  /** Forwards what the current mode lets through; called on every arrival and mode change. */
  drain() {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const mode = this.mode();
    while (this.#items.length > 0 && mode.kind !== 'cut') {
      const item = this.#items[0];
      if (mode.kind === 'slow') {
        const wait = item.at + mode.delayMs - Date.now();
        if (wait > 0) {
          this.#timer = setTimeout(() => this.drain(), wait);
          return;
        }
      }
      this.#items.shift();
      if ('chunk' in item) this.to.write(item.chunk);
      else if (item.end === 'end') this.to.end();
      else this.to.destroy();
    }
  }

  stop() {
    if (this.#timer) clearTimeout(this.#timer);
    this.#items.length = 0;
  }
}

/**
 * `cut()` holds all traffic in both directions (new connections too) and closes nothing, as a
 * dead link looks to both ends; `slow(ms)` forwards every chunk `ms` after it arrived, in order;
 * `resume()` forwards at once again, held data first; `reset()` drops every connection (held
 * data discarded) and forwards new ones at once, as a link that came back without the old TCP
 * sessions. Closes travel in order with the data, so a cut hides them too.
 */
export class TcpProxy {
  /** @type {import('./tcp-proxy.d.mts').LinkMode} */
  #mode = { kind: 'open' };
  #pipes = new Set();
  #sockets = new Set();
  #server;

  constructor(server, port) {
    this.#server = server;
    this.port = port;
  }

  /** Listens on `listenPort` (default: any free port); the same port again restarts a closed proxy. */
  static async start(targetHost, targetPort, listenPort = 0) {
    let proxy;
    const server = createServer((client) => proxy.#accept(client, targetHost, targetPort));
    const port = await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => resolve(server.address().port));
    });
    proxy = new TcpProxy(server, port);
    return proxy;
  }

  /** Bytes held and not yet forwarded, in both directions of every connection. */
  get heldBytes() {
    let bytes = 0;
    for (const pipe of this.#pipes) bytes += pipe.heldBytes;
    return bytes;
  }

  cut() {
    this.#setMode({ kind: 'cut' });
  }

  slow(delayMs) {
    this.#setMode({ kind: 'slow', delayMs });
  }

  resume() {
    this.#setMode({ kind: 'open' });
  }

  reset() {
    this.#dropConnections();
    this.#setMode({ kind: 'open' });
  }

  /** Stops listening and drops every connection. */
  async close() {
    this.#dropConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #dropConnections() {
    for (const pipe of this.#pipes) pipe.stop();
    this.#pipes.clear();
    for (const socket of this.#sockets) socket.destroy();
  }

  #setMode(mode) {
    this.#mode = mode;
    for (const pipe of this.#pipes) pipe.drain();
  }

  #accept(client, host, port) {
    const upstream = connect(port, host);
    const toUpstream = new Pipe(upstream, () => this.#mode);
    const toClient = new Pipe(client, () => this.#mode);
    for (const [socket, pipe] of [
      [client, toUpstream],
      [upstream, toClient],
    ]) {
      this.#sockets.add(socket);
      this.#pipes.add(pipe);
      socket.on('data', (chunk) => pipe.push({ at: Date.now(), chunk }));
      socket.on('end', () => pipe.push({ at: Date.now(), end: 'end' }));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        pipe.push({ at: Date.now(), end: 'destroy' });
        this.#sockets.delete(socket);
      });
    }
  }
}
