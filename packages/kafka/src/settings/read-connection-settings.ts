import type { ConfigReader, EndpointConfig, Logger } from '@broker/core';
import {
  CLIENT_LOG_LEVELS,
  type ClientLogLevel,
  type OAuthBearerProvider,
  SASL_MECHANISMS,
  type SaslMechanism,
  SECURITY_PROTOCOLS,
  type SecurityProtocol,
} from './connection-options';
import { parseBrokers } from './parse-brokers';
import { readTlsFiles, type TlsMaterial } from './read-tls-files';
import { type KeyStyle, type SettingName, settingKey } from './setting-keys';

export type SaslSettings =
  | { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string }
  | { mechanism: 'OAUTHBEARER'; provider: OAuthBearerProvider };

export interface TlsSettings extends TlsMaterial {
  /** Verify that the certificate names the host we connect to (the chain is always verified). */
  checkHostname: boolean;
}

/** Connection settings after validation, defaults applied. */
export interface ConnectionSettings {
  brokers: string[];
  clientId: string;
  securityProtocol: SecurityProtocol;
  sasl: SaslSettings | undefined;
  tls: TlsSettings | undefined;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  clientLogLevel: ClientLogLevel;
}

export const DEFAULT_CLIENT_ID = 'rasa-broker-kafka';

/** The settings of an endpoints.yml section as one set of values: its keys, and `url` when given. */
export function endpointValues(config: EndpointConfig): Record<string, unknown> {
  return { ...config.kwargs, ...(config.url === undefined ? {} : { url: config.url }) };
}

/** Reads one setting by its name in the current style; every read marks the key as known. */
export class SettingsReader {
  constructor(
    readonly reader: ConfigReader,
    readonly style: KeyStyle,
    readonly logger: Logger,
  ) {}

  /**
   * The key a setting was given under: its main key or one of its aliases (the Rasa documentation's Python
   * spellings), so that errors name what the user wrote; the main key when it is not given.
   * A setting given under two names is a ConfigError naming both.
   */
  key(name: SettingName): string {
    const { key, aliases } = settingKey(name, this.style);
    const given = [key, ...aliases].filter((candidate) => this.reader.has(candidate));
    if (given.length > 1) {
      const others = given.slice(1).map((candidate) => this.reader.keyName(candidate));
      throw this.reader.error(
        given[0]!,
        `is also given as ${others.join(' and ')}, another spelling of the same setting; give only one.`,
      );
    }
    return given[0] ?? key;
  }

  has(name: SettingName): boolean {
    return this.reader.has(this.key(name));
  }

  string(name: SettingName, defaultValue?: string): string | undefined {
    return this.reader.string(this.key(name), {
      nonEmpty: true,
      ...(defaultValue === undefined ? {} : { default: defaultValue }),
    });
  }

  integer(name: SettingName, defaultValue: number, min: number, max: number): number {
    return this.reader.integer(this.key(name), { default: defaultValue, min, max }) ?? defaultValue;
  }

  boolean(name: SettingName, defaultValue: boolean): boolean {
    return this.reader.boolean(this.key(name), { default: defaultValue }) ?? defaultValue;
  }

  choice<T extends string>(name: SettingName, allowed: readonly T[], defaultValue: T): T {
    return this.reader.choice(this.key(name), allowed, { default: defaultValue }) ?? defaultValue;
  }

  error(name: SettingName, message: string, cause?: unknown) {
    return this.reader.error(this.key(name), message, cause);
  }

  /** Logs that a setting given for another security protocol is ignored. */
  warnIgnored(names: readonly SettingName[], reason: string): void {
    const given = names.filter((name) => this.has(name)).map((name) => this.reader.keyName(this.key(name)));
    if (given.length > 0) this.logger.warn({ keys: given }, `${given.join(', ')} ignored: ${reason}`);
  }
}

const SASL_KEYS: readonly SettingName[] = ['saslMechanism', 'saslUsername', 'saslPassword'];
const SSL_KEYS: readonly SettingName[] = ['sslCafile', 'sslCertfile', 'sslKeyfile', 'sslKeyPassword'];

/**
 * Reads and checks how to reach Kafka: security protocol, SASL, brokers, TLS files, timeouts.
 * Scalar settings are all checked before any certificate file is read, so an invalid
 * `sasl_mechanism` is reported as such even when the files are missing too.
 */
export function readConnectionSettings(
  settings: SettingsReader,
  oauthBearerProvider: unknown,
): ConnectionSettings {
  // Protocol and mechanism first: they are what Rasa's invalid fixtures are about.
  const wantsSasl = SASL_KEYS.some((name) => settings.has(name)) || oauthBearerProvider !== undefined;
  const securityProtocol = settings.choice(
    'securityProtocol',
    SECURITY_PROTOCOLS,
    wantsSasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT',
  );
  const usesSasl = securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL';
  const usesTls = securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL';
  const mechanism = readMechanism(settings);
  const brokers = parseBrokers(settings.reader, settings.key('url'));
  const clientId = settings.string('clientId', DEFAULT_CLIENT_ID)!;
  const checkHostname = settings.boolean('sslCheckHostname', true);
  const timeouts = {
    connectionTimeoutMs: settings.integer('connectionTimeoutMs', 5000, 100, 600_000),
    requestTimeoutMs: settings.integer('requestTimeoutMs', 30_000, 100, 3_600_000),
    retryBackoffMs: settings.integer('retryBackoffMs', 100, 1, 60_000),
    retryBackoffMaxMs: settings.integer('retryBackoffMaxMs', 10_000, 1, 3_600_000),
  };
  const clientLogLevel = settings.choice('clientLogLevel', CLIENT_LOG_LEVELS, 'warn');
  if (timeouts.retryBackoffMaxMs < timeouts.retryBackoffMs) {
    throw settings.error(
      'retryBackoffMaxMs',
      `must be at least ${settings.reader.keyName(settings.key('retryBackoffMs'))} (${timeouts.retryBackoffMs}); got ${timeouts.retryBackoffMaxMs}.`,
    );
  }

  let sasl: SaslSettings | undefined;
  if (usesSasl) {
    sasl = readSasl(settings, mechanism, oauthBearerProvider);
  } else {
    settings.warnIgnored(SASL_KEYS, `security_protocol ${securityProtocol} does not authenticate with SASL`);
  }
  let tls: TlsSettings | undefined;
  if (usesTls) {
    const material = readTlsFiles(settings.reader, {
      cafile: settings.key('sslCafile'),
      certfile: settings.key('sslCertfile'),
      keyfile: settings.key('sslKeyfile'),
      keyPassword: settings.key('sslKeyPassword'),
    });
    tls = { ...material, checkHostname };
  } else {
    settings.warnIgnored(SSL_KEYS, `security_protocol ${securityProtocol} does not use TLS`);
  }
  return { brokers, clientId, securityProtocol, sasl, tls, ...timeouts, clientLogLevel };
}

function readMechanism(settings: SettingsReader): SaslMechanism {
  const given = settings.string('saslMechanism');
  if (given !== undefined && given.trim().toUpperCase() === 'GSSAPI') {
    throw settings.error(
      'saslMechanism',
      'GSSAPI (Kerberos) is not supported: the Node Kafka client has no Kerberos support. ' +
        'Use SCRAM-SHA-512, SCRAM-SHA-256, PLAIN, or OAUTHBEARER with a token provider.',
    );
  }
  return settings.choice('saslMechanism', SASL_MECHANISMS, 'PLAIN');
}

function readSasl(settings: SettingsReader, mechanism: SaslMechanism, provider: unknown): SaslSettings {
  if (mechanism === 'OAUTHBEARER') {
    if (typeof provider !== 'function') {
      throw settings.error(
        'saslMechanism',
        'OAUTHBEARER needs a token provider, which only code can supply: pass ' +
          '`oauthBearerProvider: async () => ({ value: token })` to new KafkaEventBroker(...) or as the second ' +
          'argument of fromEndpointConfig(config, { logger, oauthBearerProvider }).',
      );
    }
    settings.warnIgnored(
      ['saslUsername', 'saslPassword'],
      'OAUTHBEARER authenticates with the token provider',
    );
    return { mechanism, provider: provider as OAuthBearerProvider };
  }
  const hint = `SASL ${mechanism} needs the user name and password configured on the broker.`;
  const username = settings.reader.requiredString(settings.key('saslUsername'), hint);
  const password = settings.reader.requiredString(settings.key('saslPassword'), hint);
  return { mechanism, username, password };
}
