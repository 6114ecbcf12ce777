import { type BufferLimits, type EndpointConfig, type Logger, SettingsReader } from '@broker/core';
import type { KafkaEventBrokerOptions } from '../kafka-event-broker-options';
import type { OAuthBearerProvider } from './connection-options';
import { KAFKA_SETTINGS, RASA_KEYS_WITHOUT_EFFECT } from './kafka-settings';
import {
  type ConnectionSettings,
  type KafkaSettingsReader,
  readConnectionSettings,
} from './read-connection-settings';
import { type ProducerSettings, readProducerSettings } from './read-producer-settings';

export interface BrokerSettings {
  connection: ConnectionSettings;
  producer: ProducerSettings;
  rasaEnvironment: string;
}

export function defaultRasaEnvironment(): string {
  return process.env.RASA_ENVIRONMENT ?? 'RASA_ENVIRONMENT_NOT_SET';
}

/** Settings of `new KafkaEventBroker(options)`; errors name the option, e.g. `KafkaEventBroker options.saslMechanism`. */
export function readBrokerOptions(options: KafkaEventBrokerOptions): BrokerSettings {
  const settings = SettingsReader.ofOptions(
    KAFKA_SETTINGS,
    options,
    'KafkaEventBroker options',
    options.logger,
  );
  settings.accept(['logger', 'oauthBearerProvider']);
  const result = {
    connection: readConnectionSettings(settings, options.oauthBearerProvider),
    producer: readProducerSettings(settings, settings.get('buffer') as BufferLimits | undefined),
    rasaEnvironment: settings.get('rasaEnvironment') ?? defaultRasaEnvironment(),
  };
  settings.warnUnknown('KafkaEventBroker');
  return result;
}

/** Settings from an endpoints.yml `event_broker` section; errors name the key and the file. */
export function readBrokerEndpoint(
  config: EndpointConfig,
  deps: { logger?: Logger | undefined; oauthBearerProvider?: OAuthBearerProvider | undefined },
): BrokerSettings {
  const settings = SettingsReader.ofSection(KAFKA_SETTINGS, config, deps.logger);
  const result = {
    connection: readConnectionSettings(settings, deps.oauthBearerProvider),
    producer: readProducerSettings(settings, undefined),
    rasaEnvironment: defaultRasaEnvironment(),
  };
  noteKeysWithoutEffect(settings);
  settings.warnUnknown('KafkaEventBroker');
  return result;
}

/** Rasa keys this broker knows but does not use: one note each instead of an "unknown key" warning. */
export function noteKeysWithoutEffect(settings: KafkaSettingsReader): void {
  for (const [key, why] of Object.entries(RASA_KEYS_WITHOUT_EFFECT)) {
    const name = settings.config.keyName(key);
    if (settings.config.has(key)) settings.logger.info({ key: name }, `${name} has no effect: ${why}`);
  }
}
