import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '@broker/core';
import { Kafka, type Mechanism, type SASLOptions } from 'kafkajs';
import type { ConnectionSettings } from '../settings/read-connection-settings';
import { kafkajsLogCreator, toKafkajsLogLevel } from './log-bridge';
import { oauthBearerMechanism } from './oauthbearer-mechanism';

/** How often kafkajs itself retries a connect or request before it hands the failure to our loops. */
const CLIENT_RETRIES = 3;

/** A kafkajs client for the given connection settings, logging into `logger` (every line also goes to `observe`). */
export function createKafkajsClient(
  settings: ConnectionSettings,
  logger: Logger,
  observe?: (message: string) => void,
): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: tlsOptions(settings),
    sasl: saslOptions(settings),
    connectionTimeout: settings.connectionTimeoutMs,
    authenticationTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: {
      initialRetryTime: settings.retryBackoffMs,
      maxRetryTime: settings.retryBackoffMaxMs,
      retries: CLIENT_RETRIES,
    },
    logLevel: toKafkajsLogLevel(settings.clientLogLevel),
    logCreator: kafkajsLogCreator(logger, observe),
  });
}

function tlsOptions(settings: ConnectionSettings): ConnectionOptions | undefined {
  const { tls } = settings;
  if (!tls) return undefined;
  return {
    rejectUnauthorized: true,
    ...(tls.ca === undefined ? {} : { ca: [tls.ca] }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
    // The chain is still verified; only the host name check is skipped.
    ...(tls.checkHostname ? {} : { checkServerIdentity: () => undefined }),
  };
}

function saslOptions(settings: ConnectionSettings): SASLOptions | Mechanism | undefined {
  const { sasl } = settings;
  if (!sasl) return undefined;
  switch (sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
    case 'OAUTHBEARER':
      return oauthBearerMechanism(sasl.provider);
  }
}
