import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ConfigError } from '@broker/core';

/** One check of `/readyz`: what it looks at, and why it is not ready. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** Answers `GET /metrics` (the Prometheus text format). */
  metrics: (request: IncomingMessage, response: ServerResponse) => void;
  /** The checks `/readyz` reports: ready when every one is ok. */
  readiness: () => ReadinessCheck[];
}

export interface MetricsServer {
  /** The address it listens on, e.g. `127.0.0.1:9464` (the port chosen, for port 0). */
  readonly address: string;
  close(): Promise<void>;
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): ConfigError {
  const where = `${host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    return new ConfigError(
      `--metrics-port ${port}: ${where} is already in use by another program; choose another port (or stop the other program).`,
      { key: '--metrics-port', cause: error },
    );
  }
  if (error.code === 'EACCES') {
    return new ConfigError(
      `--metrics-port ${port}: not allowed to listen on ${where} (ports below 1024 need privileges); choose a port from 1024 to 65535.`,
      { key: '--metrics-port', cause: error },
    );
  }
  return new ConfigError(
    `--metrics-host ${host}: cannot listen on ${where} (${error.code ?? error.message}); give an address of this machine, e.g. 127.0.0.1 or 0.0.0.0.`,
    { key: '--metrics-host', cause: error },
  );
}

function reply(
  response: ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

/**
 * The command line's HTTP endpoint for monitoring: `/metrics` (Prometheus), `/healthz` (the
 * process answers) and `/readyz` (200 when every readiness check is ok, else 503 naming the
 * ones that are not, as JSON). Rejects with a ConfigError naming the option when it cannot listen.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return reply(response, 405, 'only GET and HEAD\n');
    }
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') return options.metrics(request, response);
    if (path === '/healthz') return reply(response, 200, 'ok\n');
    if (path === '/readyz') {
      const checks = options.readiness();
      const ready = checks.every((check) => check.ok);
      return reply(response, ready ? 200 : 503, `${JSON.stringify({ ready, checks })}\n`, 'application/json');
    }
    reply(response, 404, 'not found: try /metrics, /healthz or /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(listenError(error, options.host, options.port)),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  // A scrape must not keep the command from exiting.
  server.unref();
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    address: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
