import { isIP } from 'node:net';
import type { PikaSettingsReader } from '../pika-settings';

/** Where to connect and as whom; the password never leaves this object except into amqplib. */
export interface AmqpEndpoint {
  tls: boolean;
  hostname: string;
  port: number;
  username: string;
  password: string;
  vhost: string;
  /** Query parameters of a URL `url` (RabbitMQ / aio-pika connection parameters), else empty. */
  query: ReadonlyMap<string, string>;
  /** How the endpoint may be shown: `amqps://user@host:5671/vhost`, never with the password. */
  display: string;
  /** The user gave `url` as a full `amqp://` / `amqps://` URI (not a bare host name). */
  fromUri: boolean;
}

const DEFAULT_PORT = { amqp: 5672, amqps: 5671 } as const;

/**
 * Resolves Rasa's `url` / `username` / `password` / `port` keys.
 *
 * `url` is a bare host name, or a full `amqp://` / `amqps://` URI with credentials, port,
 * vhost and query. When both a URI and the separate keys give a value, the URI wins and the
 * key only fills in what the URI leaves out (so `port` never doubles a URI's port and
 * `username` never prepends a second userinfo, which Rasa 3.x does). A conflicting key is
 * reported with a warning that names the key, never the value.
 *
 * `bareHostTls` says whether TLS settings outside the URL (certificate keys, Rasa's
 * environment variables) ask for TLS; it decides TLS and the default port of a bare host name.
 */
export function resolveAmqpEndpoint(settings: PikaSettingsReader, bareHostTls: boolean): AmqpEndpoint {
  const url = settings.required(
    'url',
    'the RabbitMQ host name (e.g. localhost) or an amqp:// / amqps:// URL (e.g. amqp://rabbit:5672/my-vhost).',
  );
  const username = settings.get('username');
  const password = settings.get('password');
  const port = settings.get('port');

  const trimmed = url.trim();
  if (!trimmed.includes('://')) {
    const hostname = parseBareHost(settings, trimmed);
    const tls = bareHostTls;
    const resolvedPort = port ?? (tls ? DEFAULT_PORT.amqps : DEFAULT_PORT.amqp);
    const user = username ?? 'guest';
    return {
      tls,
      hostname,
      port: resolvedPort,
      username: user,
      password: password ?? 'guest',
      vhost: '/',
      query: new Map(),
      display: displayOf(tls, user, hostname, resolvedPort, '/'),
      fromUri: false,
    };
  }

  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw settings.error(
      'url',
      'is not a valid URL; expected amqp://[user[:password]@]host[:port][/vhost][?query].',
    );
  }
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  if (scheme !== 'amqp' && scheme !== 'amqps') {
    throw settings.error(
      'url',
      `uses the scheme "${scheme}:"; RabbitMQ URLs start with amqp:// or amqps:// (TLS), or give just the host name.`,
    );
  }
  const tls = scheme === 'amqps';
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!hostname) throw settings.error('url', 'has no host name; expected amqp://host[:port][/vhost].');

  const uriPort = parsed.port ? Number(parsed.port) : undefined;
  if (uriPort !== undefined && port !== undefined && uriPort !== port) {
    warnIgnored(settings, 'port');
  }
  const uriUser = parsed.username ? decode(settings, parsed.username) : undefined;
  const uriPassword = parsed.password ? decode(settings, parsed.password) : undefined;
  if (uriUser !== undefined && username !== undefined && uriUser !== username) {
    warnIgnored(settings, 'username', 'user name');
  }
  if (uriPassword !== undefined && password !== undefined && uriPassword !== password) {
    warnIgnored(settings, 'password');
  }
  const resolvedPort = uriPort ?? port ?? (tls ? DEFAULT_PORT.amqps : DEFAULT_PORT.amqp);
  const user = uriUser ?? username ?? 'guest';
  const vhost = parseVhost(settings, parsed.pathname);
  return {
    tls,
    hostname,
    port: resolvedPort,
    username: user,
    password: uriPassword ?? password ?? 'guest',
    vhost,
    query: parseQuery(settings, parsed.search),
    display: displayOf(tls, user, hostname, resolvedPort, vhost),
    fromUri: true,
  };
}

function parseBareHost(settings: PikaSettingsReader, host: string): string {
  if (isIP(host) === 6) return host;
  if (/^\[.*\]$/.test(host) && isIP(host.slice(1, -1)) === 6) return host.slice(1, -1);
  if (host.includes(':')) {
    throw settings.error(
      'url',
      `"${host}" looks like host:port; give the host name alone and the port in \`port\`, or a URL such as amqp://${host}.`,
    );
  }
  if (!/^[A-Za-z0-9._-]+$/.test(host)) {
    throw settings.error(
      'url',
      `"${host}" is not a host name; expected a host name (e.g. localhost) or an amqp:// / amqps:// URL.`,
    );
  }
  return host;
}

/** RabbitMQ's URI spec: the path is one segment (a `/` inside a vhost name is written %2F); none means `/`. */
function parseVhost(settings: PikaSettingsReader, pathname: string): string {
  if (pathname === '' || pathname === '/') return '/';
  const segment = pathname.slice(1);
  if (segment.includes('/')) {
    throw settings.error(
      'url',
      `has the path "${pathname}", but the vhost is a single path segment; write a "/" inside a vhost name as %2F.`,
    );
  }
  return decode(settings, segment);
}

function parseQuery(settings: PikaSettingsReader, search: string): Map<string, string> {
  const query = new Map<string, string>();
  if (!search) return query;
  for (const part of search.slice(1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(settings, (eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const value = decode(settings, (eq < 0 ? '' : part.slice(eq + 1)).replace(/\+/g, ' '));
    // The first value wins, as in amqplib and pika.
    if (!query.has(name)) query.set(name, value);
  }
  return query;
}

function decode(settings: PikaSettingsReader, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw settings.error(
      'url',
      'contains a malformed %-escape; percent-encode reserved characters (e.g. @ as %40).',
    );
  }
}

function warnIgnored(
  settings: PikaSettingsReader,
  ignored: 'port' | 'username' | 'password',
  what: string = ignored,
): void {
  const [key, url] = [settings.keyName(ignored), settings.keyName('url')];
  settings.logger.warn(
    { ignored: key, url },
    `${key} is ignored: the ${what} in ${url} differs from it and the URL wins; remove one of them`,
  );
}

function displayOf(tls: boolean, user: string, hostname: string, port: number, vhost: string): string {
  const host = isIP(hostname) === 6 ? `[${hostname}]` : hostname;
  const path = vhost === '/' ? '' : `/${encodeURIComponent(vhost)}`;
  return `${tls ? 'amqps' : 'amqp'}://${encodeURIComponent(user)}@${host}:${port}${path}`;
}
