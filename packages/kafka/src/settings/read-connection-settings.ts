import type { SettingsReader } from '@broker/core';
import type {
  ClientLogLevel,
  OAuthBearerProvider,
  SaslMechanism,
  SecurityProtocol,
} from './connection-options';
import type { KAFKA_SETTINGS, KafkaSettingName } from './kafka-settings';
import { parseBrokers } from './parse-brokers';
import { readTlsFiles, type TlsMaterial } from './read-tls-files';

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

/** The reader of the `type: kafka` section or of the options given in code. */
export type KafkaSettingsReader = SettingsReader<typeof KAFKA_SETTINGS>;

const SASL_KEYS: readonly KafkaSettingName[] = ['saslMechanism', 'saslUsername', 'saslPassword'];
const SSL_KEYS: readonly KafkaSettingName[] = ['sslCafile', 'sslCertfile', 'sslKeyfile', 'sslKeyPassword'];

/**
 * Reads and checks how to reach Kafka: security protocol, SASL, brokers, TLS files, timeouts.
 * Scalar settings are all checked before any certificate file is read, so an invalid
 * `sasl_mechanism` is reported as such even when the files are missing too.
 */
export function readConnectionSettings(
  settings: KafkaSettingsReader,
  oauthBearerProvider: unknown,
): ConnectionSettings {
  // Protocol and mechanism first: they are what Rasa's invalid fixtures are about.
  const wantsSasl = SASL_KEYS.some((name) => settings.has(name)) || oauthBearerProvider !== undefined;
  const securityProtocol = settings.get('securityProtocol') ?? (wantsSasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT');
  const usesSasl = securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL';
  const usesTls = securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL';
  const mechanism = readMechanism(settings);
  const brokers = parseBrokers(settings);
  const clientId = settings.get('clientId');
  const checkHostname = settings.get('sslCheckHostname');
  const timeouts = {
    connectionTimeoutMs: settings.get('connectionTimeoutMs'),
    requestTimeoutMs: settings.get('requestTimeoutMs'),
    retryBackoffMs: settings.get('retryBackoffMs'),
    retryBackoffMaxMs: settings.get('retryBackoffMaxMs'),
  };
  const clientLogLevel = settings.get('clientLogLevel');
  if (timeouts.retryBackoffMaxMs < timeouts.retryBackoffMs) {
    throw settings.error(
      'retryBackoffMaxMs',
      `must be at least ${settings.keyName('retryBackoffMs')} (${timeouts.retryBackoffMs}); got ${timeouts.retryBackoffMaxMs}.`,
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
    const material = readTlsFiles(settings);
    tls = { ...material, checkHostname };
  } else {
    settings.warnIgnored(SSL_KEYS, `security_protocol ${securityProtocol} does not use TLS`);
  }
  return { brokers, clientId, securityProtocol, sasl, tls, ...timeouts, clientLogLevel };
}

function readMechanism(settings: KafkaSettingsReader): SaslMechanism {
  const given = settings.raw('saslMechanism');
  if (typeof given === 'string' && given.trim().toUpperCase() === 'GSSAPI') {
    throw settings.error(
      'saslMechanism',
      'GSSAPI (Kerberos) is not supported: the Node Kafka client has no Kerberos support. ' +
        'Use SCRAM-SHA-512, SCRAM-SHA-256, PLAIN, or OAUTHBEARER with a token provider.',
    );
  }
  return settings.get('saslMechanism');
}

function readSasl(settings: KafkaSettingsReader, mechanism: SaslMechanism, provider: unknown): SaslSettings {
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
  const username = settings.required('saslUsername', hint);
  const password = settings.required('saslPassword', hint);
  return { mechanism, username, password };
}
