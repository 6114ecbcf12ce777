import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a broker that can "cut the network": while cut, nothing is forwarded
 * in either direction and nothing is closed, exactly what a dead link looks like to both ends.
 * Only heartbeats can tell. `restore()` drops the dead connections and forwards new ones again.
 */
export class TcpProxy {
  private cutOff = false;
  private readonly pairs = new Set<[Socket, Socket | undefined]>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, targetHost, targetPort));
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    proxy = new TcpProxy(server, port);
    return proxy;
  }

  cut(): void {
    this.cutOff = true;
    for (const [client, upstream] of this.pairs) {
      client.pause();
      upstream?.pause();
    }
  }

  restore(): void {
    this.cutOff = false;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream?.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.restore();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, host: string, port: number): void {
    client.on('error', () => undefined);
    if (this.cutOff) {
      // Accepted, never answered: the client's handshake times out.
      client.pause();
      this.pairs.add([client, undefined]);
      return;
    }
    const upstream = connect(port, host);
    upstream.on('error', () => client.destroy());
    const pair: [Socket, Socket | undefined] = [client, upstream];
    this.pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const forget = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', forget);
    upstream.on('close', forget);
  }
}
