import { TcpProxy } from 'broker-test-kit';

/** A TCP proxy in front of a server, the URL that reaches it through the proxy, and how to start it again. */
export interface ProxiedUrl {
  proxy: TcpProxy;
  url: string;
  /** Starts the proxy again on the same port after `close()` stopped it. */
  restart(): Promise<void>;
}

/**
 * A TCP proxy to the server of `target` (a URL; `defaultPort` when it names none). Every proxy it
 * starts, the first and each restart, goes into `proxies` for the suite to close.
 */
export async function proxiedUrl(
  target: string,
  defaultPort: number,
  proxies: TcpProxy[],
): Promise<ProxiedUrl> {
  const direct = new URL(target);
  const port = Number(direct.port || defaultPort);
  const proxy = await TcpProxy.start(direct.hostname, port);
  proxies.push(proxy);
  const through = new URL(target);
  through.hostname = '127.0.0.1';
  through.port = String(proxy.port);
  return {
    proxy,
    url: through.toString(),
    restart: async () => {
      proxies.push(await TcpProxy.start(direct.hostname, port, proxy.port));
    },
  };
}
