import type { BufferLimits, StartupMode } from '@broker/core';
import { type ConnectionSettings, readConnectionSettings } from '../connection/connection-settings';
import type { PikaSettingsReader } from '../pika-settings';
import { readTopologySettings, type TopologySettings } from '../topology';

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

/**
 * Reads Rasa's pika keys and ours from endpoints.yml or from constructor options (as the reader
 * says), with the same rules and error messages naming the key as written.
 */
export function readBrokerSettings(
  settings: PikaSettingsReader,
  env: Readonly<Record<string, string | undefined>> = process.env,
): PikaBrokerSettings {
  const connection = readConnectionSettings(settings, { connectionName: '@broker/pika publisher' }, env);
  const topology = readTopologySettings(settings);
  const contentType = readContentType(settings);
  // The same bounds as every broker (Kafka's queue_size and buffer_max_bytes), in the same words.
  const overflow = settings.get('bufferOverflow');
  const maxEvents = settings.get('bufferMaxEvents');
  const maxBytes = settings.get('bufferMaxBytes');
  const keepUnpublishedKey = settings.keyName('shouldKeepUnpublishedMessages');
  const result: PikaBrokerSettings = {
    connection,
    topology,
    startup: settings.get('startup'),
    connectionAttempts: settings.get('connectionAttempts'),
    retryDelayMs: Math.round(settings.get('retryDelayInSeconds') * 1000),
    keepUnpublished: settings.get('shouldKeepUnpublishedMessages'),
    raiseOnFailure: settings.get('raiseOnFailure'),
    buffer: {
      ...(maxEvents === undefined ? {} : { maxEvents }),
      ...(maxBytes === undefined ? {} : { maxBytes }),
      ...(overflow === undefined ? {} : { overflow }),
    },
    confirmWindow: settings.get('confirmWindow'),
    contentType,
    messageId: settings.get('messageId'),
    // Rasa reads RASA_ENVIRONMENT; code may set appId explicitly.
    appId: settings.get('appId') ?? (env.RASA_ENVIRONMENT || undefined),
    closeTimeoutMs: settings.get('closeTimeoutMs'),
    keys: { keepUnpublished: keepUnpublishedKey, raiseOnFailure: settings.keyName('raiseOnFailure') },
  };
  if (!result.keepUnpublished && result.startup === 'buffer') {
    settings.logger.warn(
      { keys: [keepUnpublishedKey, settings.keyName('startup')] },
      `${keepUnpublishedKey} is false, so startup: buffer keeps nothing: events published before the first connection fail at once`,
    );
  }
  return result;
}

/** `true` (also as a string) means application/json; `false` none; otherwise a MIME type. */
function readContentType(settings: PikaSettingsReader): string | undefined {
  const raw = settings.raw('contentType');
  if (raw === true) return 'application/json';
  if (raw === false || raw === undefined) return undefined;
  const contentType = settings.config.string(settings.key('contentType'), { nonEmpty: true })!;
  if (/^(true|false)$/i.test(contentType.trim())) {
    return contentType.trim().toLowerCase() === 'true' ? 'application/json' : undefined;
  }
  if (!/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType.trim())) {
    throw settings.error(
      'contentType',
      `expected a MIME type such as application/json (or true), got ${JSON.stringify(contentType)}.`,
    );
  }
  return contentType;
}
