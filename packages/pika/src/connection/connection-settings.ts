import type { PikaSettingsReader } from '../pika-settings';
import { type AmqpEndpoint, resolveAmqpEndpoint } from './amqp-endpoint';
import { resolveTlsSettings, type TlsSettings, tlsRequestedOutsideUri } from './tls-settings';

/** Everything needed to open one AMQP connection. */
export interface ConnectionSettings {
  endpoint: AmqpEndpoint;
  tls: TlsSettings | undefined;
  /** Seconds between heartbeats; a connection silent for two of them counts as dead. 0 turns them off. */
  heartbeatSeconds: number;
  /** Most time for TCP connect + TLS + AMQP handshake, in ms. */
  connectionTimeoutMs: number;
  frameMax: number | undefined;
  channelMax: number | undefined;
  /** Shown in the RabbitMQ management UI. */
  connectionName: string;
}

export const DEFAULT_HEARTBEAT_SECONDS = 15;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;

const KNOWN_QUERY = new Set([
  'heartbeat',
  'connection_timeout',
  'channel_max',
  'frame_max',
  'name',
  'cacertfile',
  'cafile',
  'certfile',
  'keyfile',
  'verify',
  'no_verify_ssl',
  'server_name_indication',
]);

/** Reads the connection part of the settings (shared by the broker and the message source). */
export function readConnectionSettings(
  settings: PikaSettingsReader,
  defaults: { connectionName: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConnectionSettings {
  const endpoint = resolveAmqpEndpoint(settings, tlsRequestedOutsideUri(settings, env));
  const tls = resolveTlsSettings(settings, endpoint, env);
  const logger = settings.logger;
  const queryInt = (name: string, min: number, max: number): number | undefined => {
    const raw = endpoint.query.get(name);
    if (raw === undefined) return undefined;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= min && value <= max)) {
      throw settings.error(
        'url',
        `the query parameter ${name}=${JSON.stringify(raw)} must be an integer between ${min} and ${max}.`,
      );
    }
    return value;
  };
  const unknown = [...endpoint.query.keys()].filter((name) => !KNOWN_QUERY.has(name));
  if (unknown.length > 0) {
    logger.warn(
      { parameters: unknown, url: endpoint.display },
      `${settings.keyName('url')} has query parameter(s) ${unknown.join(', ')} that are ignored; known: ${[...KNOWN_QUERY].join(', ')}`,
    );
  }
  const heartbeatSeconds =
    settings.get('heartbeat') ?? queryInt('heartbeat', 0, 65535) ?? DEFAULT_HEARTBEAT_SECONDS;
  if (heartbeatSeconds === 0) {
    logger.warn(
      { url: endpoint.display },
      'AMQP heartbeats are off (heartbeat: 0): a silently cut network is only noticed when the operating system gives up on the socket',
    );
  }
  return {
    endpoint,
    tls,
    heartbeatSeconds,
    connectionTimeoutMs: queryInt('connection_timeout', 1, 3_600_000) ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    frameMax: queryInt('frame_max', 4096, 2 ** 31 - 1),
    channelMax: queryInt('channel_max', 0, 65535),
    connectionName: endpoint.query.get('name') || defaults.connectionName,
  };
}
