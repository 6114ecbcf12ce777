import {
  BUFFER_LIMIT_RANGE,
  type BufferLimits,
  type ConfigReader,
  type Logger,
  OVERFLOW_POLICIES,
} from '@broker/core';
import { type ConnectionSettings, readConnectionSettings } from '../connection/connection-settings';
import { type KeyStyle, settingKey } from '../connection/key-style';
import { readTopologySettings, type TopologySettings } from '../topology';
import type { StartupMode } from './pika-event-broker-options';

/** Every PikaEventBroker setting, validated and with defaults applied. */
export interface PikaBrokerSettings {
  connection: ConnectionSettings;
  topology: TopologySettings;
  startup: StartupMode;
  connectionAttempts: number;
  retryDelayMs: number;
  keepUnpublished: boolean;
  raiseOnFailure: boolean;
  buffer: BufferLimits;
  confirmWindow: number;
  contentType: string | undefined;
  messageId: boolean;
  appId: string | undefined;
  closeTimeoutMs: number | undefined;
  /** Names of the settings as the user wrote them, for messages. */
  keys: { keepUnpublished: string; raiseOnFailure: string };
}

export const DEFAULT_CONFIRM_WINDOW = 1000;

/**
 * Reads Rasa's pika keys and ours from endpoints.yml (`style: 'yaml'`) or from constructor
 * options (`style: 'code'`), with the same rules and error messages naming the key as written.
 */
export function readBrokerSettings(
  reader: ConfigReader,
  style: KeyStyle,
  logger: Logger,
  env: Readonly<Record<string, string | undefined>> = process.env,
): PikaBrokerSettings {
  const key = (name: string) => settingKey(name, style);
  const connection = readConnectionSettings(
    reader,
    style,
    logger,
    { connectionName: '@broker/pika publisher' },
    env,
  );
  const topology = readTopologySettings(reader, style, logger);
  const contentTypeKey = key('content_type');
  const rawContentType = reader.raw(contentTypeKey);
  let contentType: string | undefined;
  if (rawContentType === true) contentType = 'application/json';
  else if (rawContentType !== false && rawContentType !== undefined) {
    contentType = reader.string(contentTypeKey, { nonEmpty: true });
    if (contentType && /^(true|false)$/i.test(contentType.trim())) {
      contentType = contentType.trim().toLowerCase() === 'true' ? 'application/json' : undefined;
    } else if (contentType && !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType.trim())) {
      throw reader.error(
        contentTypeKey,
        `expected a MIME type such as application/json (or true), got ${JSON.stringify(contentType)}.`,
      );
    }
  }
  const overflow = reader.choice(key('buffer_overflow'), OVERFLOW_POLICIES);
  // The same bounds as every broker (Kafka's queue_size and buffer_max_bytes), in the same words.
  const maxEvents = reader.integer(key('buffer_max_events'), BUFFER_LIMIT_RANGE.maxEvents);
  const maxBytes = reader.integer(key('buffer_max_bytes'), BUFFER_LIMIT_RANGE.maxBytes);
  const settings: PikaBrokerSettings = {
    connection,
    topology,
    startup: reader.choice(key('startup'), ['wait', 'buffer'] as const) ?? 'wait',
    connectionAttempts: reader.integer(key('connection_attempts'), { min: 1 }) ?? 20,
    retryDelayMs: Math.round(
      (reader.number(key('retry_delay_in_seconds'), { min: 0, max: 3600 }) ?? 5) * 1000,
    ),
    keepUnpublished: reader.boolean(key('should_keep_unpublished_messages')) ?? true,
    raiseOnFailure: reader.boolean(key('raise_on_failure')) ?? false,
    buffer: {
      ...(maxEvents === undefined ? {} : { maxEvents }),
      ...(maxBytes === undefined ? {} : { maxBytes }),
      ...(overflow === undefined ? {} : { overflow }),
    },
    confirmWindow: reader.integer(key('confirm_window'), { min: 1, max: 100_000 }) ?? DEFAULT_CONFIRM_WINDOW,
    contentType,
    messageId: reader.boolean(key('message_id')) ?? false,
    // Rasa reads RASA_ENVIRONMENT; code may set appId explicitly.
    appId: (style === 'code' ? reader.string('appId') : undefined) ?? (env.RASA_ENVIRONMENT || undefined),
    closeTimeoutMs: style === 'code' ? reader.integer('closeTimeoutMs', { min: 0 }) : undefined,
    keys: {
      keepUnpublished: reader.keyName(key('should_keep_unpublished_messages')),
      raiseOnFailure: reader.keyName(key('raise_on_failure')),
    },
  };
  if (!settings.keepUnpublished && settings.startup === 'buffer') {
    logger.warn(
      { keys: [settings.keys.keepUnpublished, reader.keyName(key('startup'))] },
      `${settings.keys.keepUnpublished} is false, so startup: buffer keeps nothing: events published before the first connection fail at once`,
    );
  }
  return settings;
}
