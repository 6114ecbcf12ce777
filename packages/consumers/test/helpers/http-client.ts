import { type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, decompressed when it came gzipped. */
  body: string;
  /** Bytes on the wire. */
  transferred: number;
}

/** A GET (or another method) with exactly the headers given: node:http, so `Host` can be anything. */
export function httpGet(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = response.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: body.toString('utf8'),
          transferred: raw.length,
        });
      });
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** An open server-sent events stream, parsed as it arrives. */
export interface SseStream {
  events: SseEvent[];
  /** Resolves once `count` events matched `filter` (default: any). */
  until(count: number, filter?: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  response: IncomingMessage;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { id: undefined, event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue;
            const [field, value] = [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
            if (field === 'id') event.id = value;
            if (field === 'event') event.event = value;
            if (field === 'data') {
              event.data += value;
              hasData = true;
            }
          }
          if (hasData) events.push(event);
          end = buffer.indexOf('\n\n');
        }
        for (const wake of waiters) wake();
      });
      resolve({
        events,
        response,
        close: () => req.destroy(),
        until: (count, filter = () => true, timeoutMs = 10_000) =>
          new Promise((done, fail) => {
            const check = () => {
              const matched = events.filter(filter);
              if (matched.length < count) return false;
              clearTimeout(timer);
              waiters.delete(check);
              done(matched);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`Timed out waiting for ${count} stream events; got ${JSON.stringify(events)}`));
            }, timeoutMs);
            if (!check()) waiters.add(check);
          }),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
