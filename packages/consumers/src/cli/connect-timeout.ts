import {
  ConfigError,
  ConnectionError,
  censorUrl,
  createEventBroker,
  type EndpointConfig,
  type EventBroker,
  type Logger,
  type MessageSource,
} from '@broker/core';
import { Option } from 'commander';
import { importAdapter } from '../adapter-loader';
import { duration } from './option-parsers';

/** `--connect-timeout` of `publish` and `export` when not given. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** `--connect-timeout <duration>`: with a default (publish, export), or none: wait for ever (consume). */
export function connectTimeoutOption(defaultMs?: number): Option {
  const option = new Option(
    '--connect-timeout <duration>',
    `how long to wait for the broker to answer at the start, e.g. 10s or 2m; then exit 4${defaultMs === undefined ? ' (default: wait for ever)' : ''}`,
  ).argParser(duration('--connect-timeout'));
  return defaultMs === undefined ? option : option.default(defaultMs, `${defaultMs / 1000}s`);
}

const BROKER_NAMES: Record<string, string> = { pika: 'RabbitMQ', kafka: 'Kafka' };

function adapterType(section: EndpointConfig): string {
  return (section.type ?? 'pika').trim().toLowerCase();
}

/**
 * Where an `event_broker` section points, safe to print: `RabbitMQ at amqp://host:5672`, with
 * Rasa's separate `port` key added to a URL that has none.
 */
export function brokerLocation(section: EndpointConfig): string {
  const type = adapterType(section);
  const port = section.kwargs.port;
  const urls = (Array.isArray(section.url) ? section.url : [section.url])
    .filter((url) => url !== undefined && url !== null && url !== '')
    .map((url) => censorUrl(String(url)))
    .map((url) => (port !== undefined && !/:\d+(\/|$)/.test(url) ? `${url}:${String(port)}` : url));
  const name = BROKER_NAMES[type] ?? `the ${section.type} broker`;
  return urls.length > 0 ? `${name} at ${urls.join(', ')}` : name;
}

/**
 * The section without the adapters' own wait for the broker (`startup: wait`, Rasa's
 * `connection_attempts` x `retry_delay_in_seconds`: 95 s by default): the command bounds that
 * wait itself with `--connect-timeout`.
 */
export function withoutStartupWait(section: EndpointConfig): EndpointConfig {
  if (!(adapterType(section) in BROKER_NAMES)) return section;
  return { ...section, kwargs: { ...section.kwargs, startup: 'buffer' } };
}

function timeoutError(where: string, timeoutMs: number): ConnectionError {
  const after = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
  return new ConnectionError(
    `Could not connect to ${where} within ${after} (--connect-timeout): check that it is running and that the endpoints file names the right host and port.`,
    { details: { timeoutMs } },
  );
}

/**
 * Resolves once `broker` is connected. A broker that fails for good (credentials) rejects with
 * its error; one still not connected after `timeoutMs` is closed and rejects with a
 * ConnectionError naming `where`.
 */
export async function connectWithin(broker: EventBroker, timeoutMs: number, where: string): Promise<void> {
  // Every built-in broker can connect ahead of the first publish; a custom one may not.
  const connect = (broker as { connect?: () => Promise<void> }).connect;
  if (typeof connect !== 'function') return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(where, timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([connect.call(broker), deadline]);
  } catch (error) {
    await broker.close({ timeout: 0 }).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `source`, whose `consume()` rejects with a ConnectionError naming `where` when the source has
 * not started consuming within `timeoutMs` (a broker that never answers). Once it consumed,
 * later reconnects are waited for as usual.
 */
export function consumingWithin(source: MessageSource, timeoutMs: number, where: string): MessageSource {
  let abandoned = false;
  return {
    name: source.name,
    description: source.description,
    ...(source.backlog ? { backlog: () => source.backlog?.() ?? Promise.resolve([]) } : {}),
    // A connection attempt still pending at the deadline ends only at its own timeout (a host
    // that never answers): closing does not wait for it, the command ends before.
    close: async () => {
      const closing = source.close();
      if (abandoned) closing.catch(() => undefined);
      else await closing;
    },
    consume: async (onMessage, options) => {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      const passed = new Promise<'passed'>((resolve) =>
        deadline.signal.addEventListener('abort', () => resolve('passed'), { once: true }),
      );
      const consuming = source.consume(onMessage, {
        ...options,
        signal: AbortSignal.any([options.signal, deadline.signal]),
        onConsuming: () => {
          clearTimeout(timer);
          options.onConsuming?.();
        },
      });
      try {
        if ((await Promise.race([consuming, passed])) !== 'passed') return;
      } finally {
        clearTimeout(timer);
      }
      if (options.signal.aborted) return consuming;
      abandoned = true;
      consuming.catch(() => undefined);
      throw timeoutError(where, timeoutMs);
    },
  };
}

/**
 * The broker of an `event_broker` section, connected: `publish` and `export` wait at most
 * `connectTimeoutMs` for it (a wrong port fails in seconds, not after Rasa's 95 s of attempts).
 */
export async function openBroker(
  section: EndpointConfig,
  options: { logger: Logger; connectTimeoutMs: number },
): Promise<EventBroker> {
  const broker = await createEventBroker(withoutStartupWait(section), {
    logger: options.logger,
    importModule: importAdapter,
  });
  if (!broker)
    throw new ConfigError('The endpoints file configures no event broker.', { key: 'event_broker' });
  await connectWithin(broker, options.connectTimeoutMs, brokerLocation(section));
  return broker;
}
