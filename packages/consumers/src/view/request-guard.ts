import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie that carries the token after the page was opened with `?token=`. */
export const TOKEN_COOKIE = 'broker_view_token';

/** Host names that reach a loopback-bound viewer; anything else is a page of another site (DNS rebinding). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

export type GuardVerdict =
  | { ok: true; setCookie?: string; stripTokenFrom?: URL }
  | { ok: false; status: 401 | 403; message: string };

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined; // not percent-encoding: not our cookie's value
    }
  }
  return undefined;
}

function bearer(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1]?.trim();
}

/**
 * Who may use the viewer. With a token (required when it listens beyond loopback) every request
 * must carry it: `?token=` (the page's first load; it becomes an HttpOnly cookie and leaves the
 * address bar), the cookie, or `Authorization: Bearer`. Without one, only requests addressed to
 * a loopback name are served, so a web page elsewhere cannot reach it through DNS rebinding.
 */
export function checkRequest(request: IncomingMessage, url: URL, token: string | undefined): GuardVerdict {
  if (token === undefined) {
    const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    return LOOPBACK_NAMES.has(host)
      ? { ok: true }
      : {
          ok: false,
          status: 403,
          message: `This viewer listens on loopback and answers only requests to 127.0.0.1, localhost or [::1], not to ${JSON.stringify(host)}.`,
        };
  }
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null && sameSecret(fromQuery, token)) {
    const clean = new URL(url);
    clean.searchParams.delete('token');
    return {
      ok: true,
      setCookie: `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      stripTokenFrom: clean,
    };
  }
  const given = cookie(request, TOKEN_COOKIE) ?? bearer(request);
  if (given !== undefined && sameSecret(given, token)) return { ok: true };
  return {
    ok: false,
    status: 401,
    message:
      'This viewer needs its token: open it with ?token=<the --token it was started with>, or send Authorization: Bearer <token>.',
  };
}
