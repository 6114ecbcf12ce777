import { type BufferLimits, ConfigReader, type EndpointConfig, type Logger, noopLogger } from '@broker/core';
import type { KafkaEventBrokerOptions } from '../kafka-event-broker-options';
import type { OAuthBearerProvider } from './connection-options';
import {
  type ConnectionSettings,
  endpointValues,
  readConnectionSettings,
  SettingsReader,
} from './read-connection-settings';
import { type ProducerSettings, readProducerSettings } from './read-producer-settings';
import { RASA_KEYS_WITHOUT_EFFECT } from './setting-keys';

export interface BrokerSettings {
  connection: ConnectionSettings;
  producer: ProducerSettings;
  rasaEnvironment: string;
}

/** Options that only code can give; read so they are not reported as unknown. */
const CODE_ONLY_OPTIONS = ['logger', 'oauthBearerProvider', 'buffer', 'rasaEnvironment'];

export function defaultRasaEnvironment(): string {
  return process.env.RASA_ENVIRONMENT ?? 'RASA_ENVIRONMENT_NOT_SET';
}

/** Settings of `new KafkaEventBroker(options)`; errors name the option, e.g. `KafkaEventBroker options.saslMechanism`. */
export function readBrokerOptions(options: KafkaEventBrokerOptions): BrokerSettings {
  const logger = options.logger ?? noopLogger;
  const reader = new ConfigReader(options as Record<string, unknown>, {
    prefix: 'KafkaEventBroker options',
    logger,
  });
  for (const key of CODE_ONLY_OPTIONS) reader.raw(key);
  const settings = new SettingsReader(reader, 'code', logger);
  const rasaEnvironment = reader.string('rasaEnvironment') ?? defaultRasaEnvironment();
  const result = {
    connection: readConnectionSettings(settings, options.oauthBearerProvider),
    producer: readProducerSettings(settings, reader.object('buffer') as BufferLimits | undefined),
    rasaEnvironment,
  };
  reader.warnUnknown('KafkaEventBroker');
  return result;
}

/** Settings from an endpoints.yml `event_broker` section; errors name the key and the file. */
export function readBrokerEndpoint(
  config: EndpointConfig,
  deps: { logger?: Logger | undefined; oauthBearerProvider?: OAuthBearerProvider | undefined },
): BrokerSettings {
  const logger = deps.logger ?? noopLogger;
  const reader = new ConfigReader(endpointValues(config), {
    prefix: config.section,
    file: config.file,
    logger,
  });
  const settings = new SettingsReader(reader, 'yaml', logger);
  const result = {
    connection: readConnectionSettings(settings, deps.oauthBearerProvider),
    producer: readProducerSettings(settings, undefined),
    rasaEnvironment: defaultRasaEnvironment(),
  };
  noteKeysWithoutEffect(reader, logger);
  reader.warnUnknown('KafkaEventBroker');
  return result;
}

/** Rasa keys this broker knows but does not use: one note each instead of an "unknown key" warning. */
export function noteKeysWithoutEffect(reader: ConfigReader, logger: Logger): void {
  for (const [key, why] of Object.entries(RASA_KEYS_WITHOUT_EFFECT)) {
    if (reader.has(key))
      logger.info({ key: reader.keyName(key) }, `${reader.keyName(key)} has no effect: ${why}`);
  }
}
