import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzip } from 'node:zlib';
import { ConfigError } from '@broker/core';
import type { PageAsset } from './page-assets';
import { checkRequest } from './request-guard';
import type { StreamHub } from './stream-hub';
import type { ViewData } from './view-data';

export interface ViewServerOptions {
  data: ViewData;
  hub: StreamHub;
  assets: Map<string, PageAsset>;
  /** Required on every request when given. */
  token?: string | undefined;
}

/** Scripts, styles and connections from the viewer itself only; no inline code, no frames, no plugins. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
/** Smaller answers are not worth compressing. */
const GZIP_FROM_BYTES = 1024;

class BadRequest extends Error {}

function acceptsGzip(request: IncomingMessage): boolean {
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
): void {
  response.writeHead(status, { ...headers, 'content-length': String(body.length) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function sendText(request: IncomingMessage, response: ServerResponse, status: number, text: string): void {
  send(
    request,
    response,
    status,
    { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    Buffer.from(`${text}\n`),
  );
}

function sendJson(request: IncomingMessage, response: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    vary: 'accept-encoding',
  };
  if (body.length < GZIP_FROM_BYTES || !acceptsGzip(request)) {
    send(request, response, 200, headers, body);
    return;
  }
  gzip(body, (error, zipped) => {
    if (error) send(request, response, 200, headers, body);
    else send(request, response, 200, { ...headers, 'content-encoding': 'gzip' }, zipped);
  });
}

function sendAsset(request: IncomingMessage, response: ServerResponse, asset: PageAsset): void {
  const headers = {
    'content-type': asset.contentType,
    etag: asset.etag,
    'cache-control': 'no-cache',
    vary: 'accept-encoding',
  };
  if (request.headers['if-none-match'] === asset.etag) {
    response.writeHead(304, headers);
    response.end();
  } else if (acceptsGzip(request)) {
    send(request, response, 200, { ...headers, 'content-encoding': 'gzip' }, asset.gzipped);
  } else {
    send(request, response, 200, headers, asset.body);
  }
}

function wholeNumber(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadRequest(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}.`);
  }
  return value;
}

function optional(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  return value === null || value === '' ? undefined : value;
}

/**
 * The viewer's HTTP server (node:http, no framework): the page, its two assets, a JSON API and
 * the server-sent events stream. Every answer carries a Content-Security-Policy without
 * `unsafe-inline`; every request passes `checkRequest` first.
 */
export function createViewServer(options: ViewServerOptions): Server {
  const { data, hub, assets, token } = options;

  async function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const asset = assets.get(path);
    if (asset) return sendAsset(request, response, asset);
    if (path === '/favicon.ico') return void response.writeHead(204).end();
    if (path === '/api/status') return sendJson(request, response, data.status());
    if (path === '/api/conversations') {
      return sendJson(
        request,
        response,
        data.listPage({
          sender: optional(url, 'sender'),
          intent: optional(url, 'intent'),
          page: wholeNumber(url, 'page', 1, Number.MAX_SAFE_INTEGER),
          pageSize: wholeNumber(url, 'size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
        }),
      );
    }
    if (path.startsWith('/api/conversations/')) {
      let senderId: string;
      try {
        senderId = decodeURIComponent(path.slice('/api/conversations/'.length));
      } catch {
        throw new BadRequest('The conversation id in the path is not valid percent-encoding.');
      }
      const transcript = await data.transcript(senderId);
      if (!transcript)
        return sendText(request, response, 404, `No conversation ${JSON.stringify(senderId)}.`);
      return sendJson(request, response, transcript);
    }
    if (path === '/api/stream') {
      const lastEventId = request.headers['last-event-id'];
      hub.attach(response, {
        resumeFrom: (Array.isArray(lastEventId) ? lastEventId[0] : lastEventId) ?? optional(url, 'after'),
        conversation: optional(url, 'conversation'),
      });
      return;
    }
    sendText(request, response, 404, `Nothing at ${path}.`);
  }

  return createServer((request, response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://viewer.invalid');
    } catch {
      return sendText(request, response, 400, 'The request target is not a valid URL.');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return sendText(request, response, 405, `${request.method} is not allowed: the viewer only reads.`);
    }
    const verdict = checkRequest(request, url, token);
    if (!verdict.ok) return sendText(request, response, verdict.status, verdict.message);
    if (verdict.setCookie) response.setHeader('set-cookie', verdict.setCookie);
    if (verdict.stripTokenFrom && url.pathname === '/') {
      // The token leaves the address bar (and the history) at once; the cookie carries it from now on.
      response.writeHead(303, {
        location: `${verdict.stripTokenFrom.pathname}${verdict.stripTokenFrom.search}`,
        'cache-control': 'no-store',
      });
      return response.end();
    }
    route(request, response, url).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      if (error instanceof BadRequest) return sendText(request, response, 400, error.message);
      sendText(
        request,
        response,
        500,
        `The viewer failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  });
}

/** Listens on `host:port`; a port in use or a host that is not ours is a ConfigError naming the option. */
export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      server.off('listening', listening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new ConfigError(
            `Port ${port} on ${host} is already in use (another program, or another broker view, listens there). Choose another with --port, or --port 0 for any free port.`,
            { key: 'port', cause: error },
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new ConfigError(
            `Not allowed to listen on port ${port} (ports below 1024 need privileges): choose another with --port.`,
            { key: 'port', cause: error },
          ),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
        reject(
          new ConfigError(
            `Cannot listen on ${host}: it is not an address of this machine (${error.code}). Check --host.`,
            { key: 'host', cause: error },
          ),
        );
      } else {
        reject(error);
      }
    };
    const listening = () => {
      server.off('error', failed);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen(port, host);
  });
}
