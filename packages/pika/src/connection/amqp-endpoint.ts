import { isIP } from 'node:net';
import type { ConfigReader, Logger } from '@broker/core';
import { type KeyStyle, settingKey } from './key-style';

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
export function resolveAmqpEndpoint(
  reader: ConfigReader,
  style: KeyStyle,
  logger: Logger,
  bareHostTls: boolean,
): AmqpEndpoint {
  const urlKey = settingKey('url', style);
  const url = reader.requiredString(
    urlKey,
    'the RabbitMQ host name (e.g. localhost) or an amqp:// / amqps:// URL (e.g. amqp://rabbit:5672/my-vhost).',
  );
  const usernameKey = settingKey('username', style);
  const passwordKey = settingKey('password', style);
  const portKey = settingKey('port', style);
  const username = reader.string(usernameKey);
  const password = reader.string(passwordKey);
  const port = reader.integer(portKey, { min: 1, max: 65535 });

  const trimmed = url.trim();
  if (!trimmed.includes('://')) {
    const hostname = parseBareHost(reader, urlKey, trimmed);
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
    throw reader.error(
      urlKey,
      'is not a valid URL; expected amqp://[user[:password]@]host[:port][/vhost][?query].',
    );
  }
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  if (scheme !== 'amqp' && scheme !== 'amqps') {
    throw reader.error(
      urlKey,
      `uses the scheme "${scheme}:"; RabbitMQ URLs start with amqp:// or amqps:// (TLS), or give just the host name.`,
    );
  }
  const tls = scheme === 'amqps';
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!hostname) throw reader.error(urlKey, 'has no host name; expected amqp://host[:port][/vhost].');

  const uriPort = parsed.port ? Number(parsed.port) : undefined;
  if (uriPort !== undefined && port !== undefined && uriPort !== port) {
    warnIgnored(logger, reader, portKey, urlKey, 'port');
  }
  const uriUser = parsed.username ? decode(reader, urlKey, parsed.username) : undefined;
  const uriPassword = parsed.password ? decode(reader, urlKey, parsed.password) : undefined;
  if (uriUser !== undefined && username !== undefined && uriUser !== username) {
    warnIgnored(logger, reader, usernameKey, urlKey, 'user name');
  }
  if (uriPassword !== undefined && password !== undefined && uriPassword !== password) {
    warnIgnored(logger, reader, passwordKey, urlKey, 'password');
  }
  const resolvedPort = uriPort ?? port ?? (tls ? DEFAULT_PORT.amqps : DEFAULT_PORT.amqp);
  const user = uriUser ?? username ?? 'guest';
  const vhost = parseVhost(reader, urlKey, parsed.pathname);
  return {
    tls,
    hostname,
    port: resolvedPort,
    username: user,
    password: uriPassword ?? password ?? 'guest',
    vhost,
    query: parseQuery(reader, urlKey, parsed.search),
    display: displayOf(tls, user, hostname, resolvedPort, vhost),
    fromUri: true,
  };
}

function parseBareHost(reader: ConfigReader, key: string, host: string): string {
  if (isIP(host) === 6) return host;
  if (/^\[.*\]$/.test(host) && isIP(host.slice(1, -1)) === 6) return host.slice(1, -1);
  if (host.includes(':')) {
    throw reader.error(
      key,
      `"${host}" looks like host:port; give the host name alone and the port in \`port\`, or a URL such as amqp://${host}.`,
    );
  }
  if (!/^[A-Za-z0-9._-]+$/.test(host)) {
    throw reader.error(
      key,
      `"${host}" is not a host name; expected a host name (e.g. localhost) or an amqp:// / amqps:// URL.`,
    );
  }
  return host;
}

/** RabbitMQ's URI spec: the path is one segment (a `/` inside a vhost name is written %2F); none means `/`. */
function parseVhost(reader: ConfigReader, key: string, pathname: string): string {
  if (pathname === '' || pathname === '/') return '/';
  const segment = pathname.slice(1);
  if (segment.includes('/')) {
    throw reader.error(
      key,
      `has the path "${pathname}", but the vhost is a single path segment; write a "/" inside a vhost name as %2F.`,
    );
  }
  return decode(reader, key, segment);
}

function parseQuery(reader: ConfigReader, key: string, search: string): Map<string, string> {
  const query = new Map<string, string>();
  if (!search) return query;
  for (const part of search.slice(1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(reader, key, (eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const value = decode(reader, key, (eq < 0 ? '' : part.slice(eq + 1)).replace(/\+/g, ' '));
    // The first value wins, as in amqplib and pika.
    if (!query.has(name)) query.set(name, value);
  }
  return query;
}

function decode(reader: ConfigReader, key: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw reader.error(
      key,
      'contains a malformed %-escape; percent-encode reserved characters (e.g. @ as %40).',
    );
  }
}

function warnIgnored(
  logger: Logger,
  reader: ConfigReader,
  ignored: string,
  urlKey: string,
  what: string,
): void {
  logger.warn(
    { ignored: reader.keyName(ignored), url: reader.keyName(urlKey) },
    `${reader.keyName(ignored)} is ignored: the ${what} in ${reader.keyName(urlKey)} differs from it and the URL wins; remove one of them`,
  );
}

function displayOf(tls: boolean, user: string, hostname: string, port: number, vhost: string): string {
  const host = isIP(hostname) === 6 ? `[${hostname}]` : hostname;
  const path = vhost === '/' ? '' : `/${encodeURIComponent(vhost)}`;
  return `${tls ? 'amqps' : 'amqp'}://${encodeURIComponent(user)}@${host}:${port}${path}`;
}
