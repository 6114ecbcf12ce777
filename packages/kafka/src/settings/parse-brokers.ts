import { censorUrl } from '@broker/core';
import type { KafkaSettingsReader } from './read-connection-settings';

const DEFAULT_PORT = 9092;

/**
 * The bootstrap servers from `url`: a string (`host:port`, a comma list) or a list of
 * `host:port`, as Rasa accepts them. A missing port means 9092; a `scheme://` prefix (as in
 * Kafka's listener notation) is dropped; IPv6 hosts are written `[::1]:9092`. Errors name the
 * spelling the user gave (`url` or `host`).
 */
export function parseBrokers(settings: KafkaSettingsReader): string[] {
  const raw = settings.get('url');
  if (raw === undefined) {
    throw settings.error(
      'url',
      'is required: the Kafka bootstrap servers, e.g. "localhost:9092" or a list of host:port.',
    );
  }
  const entries = Array.isArray(raw) ? raw : [raw];
  const brokers: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') {
      throw settings.error('url', `expected host:port strings, got ${JSON.stringify(entry)}.`);
    }
    for (const part of entry.split(',')) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      brokers.push(parseBroker(settings, trimmed));
    }
  }
  if (brokers.length === 0) {
    throw settings.error('url', 'names no broker; give at least one host:port, e.g. "localhost:9092".');
  }
  return brokers;
}

function parseBroker(settings: KafkaSettingsReader, value: string): string {
  const address = value.replace(/^[a-z][a-z0-9_+.-]*:\/\//i, '').replace(/\/+$/, '');
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s/@]+)(?::(\d+))?$/i.exec(address);
  const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw settings.error(
      'url',
      `${JSON.stringify(hideCredentials(value))} is not a broker address; expected host:port with a port from 1 to 65535, e.g. "localhost:9092".`,
    );
  }
  return `${match[1]}:${port}`;
}

/** Broker addresses carry no credentials, but a mistyped URL might: never print them. */
function hideCredentials(value: string): string {
  return censorUrl(value).replace(/^[^@/]*@/, '***@');
}
