import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, type ConfigReader, type Logger, TlsError } from '@broker/core';
import type { AmqpEndpoint } from './amqp-endpoint';
import { type KeyStyle, settingKey } from './key-style';

/** What tls.connect gets (besides host and port). */
export interface TlsSettings {
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
  passphrase: string | undefined;
  /** Verify the server certificate against `ca` (or the system CAs). Off only with `verify=verify_none`. */
  rejectUnauthorized: boolean;
  /** Check that the certificate names the host (or `servername`). */
  checkHostname: boolean;
  /** SNI and the name the certificate must carry, when it differs from the host connected to. */
  servername: string | undefined;
  /** Where the files came from, for error messages: `event_broker.ssl_cafile`, `RABBITMQ_SSL_CA_FILE`. */
  origins: { ca?: string; cert?: string; key?: string };
}

/** Rasa's TLS environment variables (1.x read all four; 2.x+ the client certificate and key). */
export const TLS_ENV = {
  ca: 'RABBITMQ_SSL_CA_FILE',
  cert: 'RABBITMQ_SSL_CLIENT_CERTIFICATE',
  key: 'RABBITMQ_SSL_CLIENT_KEY',
  passphrase: 'RABBITMQ_SSL_KEY_PASSWORD',
} as const;

const FILE_KEYS = ['ssl_cafile', 'ssl_certfile', 'ssl_keyfile'] as const;
const ALL_KEYS = [...FILE_KEYS, 'ssl_check_hostname', 'ssl_servername'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** True when certificate keys or Rasa's client-certificate variables ask for TLS on a bare host name. */
export function tlsRequestedOutsideUri(reader: ConfigReader, style: KeyStyle, env: Env): boolean {
  const fileKeyGiven = FILE_KEYS.some((key) => reader.has(settingKey(key, style)));
  return fileKeyGiven || Boolean(env[TLS_ENV.cert] && env[TLS_ENV.key]);
}

/**
 * TLS for an `amqps://` URL or a bare host with certificate settings. Each setting is taken from
 * the first place that has it: the `ssl_*` keys, then the URL query (RabbitMQ's `cacertfile`,
 * `certfile`, `keyfile`, `verify`, `server_name_indication`; aio-pika's `cafile`,
 * `no_verify_ssl`), then Rasa's environment variables. Files are read and checked now, so a
 * missing or mismatched file is a configuration error at start-up, not a retry loop.
 */
export function resolveTlsSettings(
  reader: ConfigReader,
  style: KeyStyle,
  endpoint: AmqpEndpoint,
  env: Env,
  logger: Logger,
): TlsSettings | undefined {
  const key = (name: (typeof ALL_KEYS)[number]) => settingKey(name, style);
  if (!endpoint.tls) {
    const given = ALL_KEYS.find((name) => reader.has(key(name)));
    if (given) {
      const why = endpoint.fromUri
        ? `${reader.keyName(settingKey('url', style))} is a plain amqp:// URL; use amqps:// to connect with TLS.`
        : `TLS is off: also give ${key('ssl_cafile')} (or a client certificate), or use an amqps:// URL.`;
      throw reader.error(key(given), `is a TLS setting, but ${why}`);
    }
    if (env[TLS_ENV.cert] || env[TLS_ENV.key] || env[TLS_ENV.ca]) {
      logger.warn(
        { variables: Object.values(TLS_ENV).filter((name) => env[name]) },
        `RabbitMQ TLS environment variables are set but ignored: ${reader.keyName(settingKey('url', style))} is a plain amqp:// URL`,
      );
    }
    return undefined;
  }

  const query = endpoint.query;
  const urlLabel = `the query of ${reader.keyName(settingKey('url', style))}`;
  const pick = (
    yamlKey: (typeof FILE_KEYS)[number],
    queryNames: string[],
    envName: string,
  ): { path: string; origin: string; fromKey: string | undefined } | undefined => {
    const fromKey = reader.string(key(yamlKey), { nonEmpty: true });
    if (fromKey !== undefined)
      return { path: fromKey, origin: reader.keyName(key(yamlKey)), fromKey: key(yamlKey) };
    for (const name of queryNames) {
      const value = query.get(name);
      if (value) return { path: value, origin: `${name} in ${urlLabel}`, fromKey: undefined };
    }
    const fromEnv = env[envName];
    if (fromEnv) return { path: fromEnv, origin: `environment variable ${envName}`, fromKey: undefined };
    return undefined;
  };

  const caFile = pick('ssl_cafile', ['cacertfile', 'cafile'], TLS_ENV.ca);
  const certFile = pick('ssl_certfile', ['certfile'], TLS_ENV.cert);
  const keyFile = pick('ssl_keyfile', ['keyfile'], TLS_ENV.key);
  if (Boolean(certFile) !== Boolean(keyFile)) {
    const [have, missing] = certFile
      ? ([certFile, 'ssl_keyfile'] as const)
      : ([keyFile!, 'ssl_certfile'] as const);
    const message = `a client certificate needs both its certificate and its private key: ${have.origin} is set, but no ${key(missing)} was given (nor ${missing === 'ssl_keyfile' ? TLS_ENV.key : TLS_ENV.cert}).`;
    throw have.fromKey ? reader.error(have.fromKey, message) : new ConfigError(message, { key: have.origin });
  }

  const verify = query.get('verify');
  const noVerify = query.get('no_verify_ssl');
  const rejectUnauthorized = !(
    verify === 'verify_none' ||
    (noVerify !== undefined && noVerify !== '0' && noVerify.toLowerCase() !== 'false')
  );
  if (!rejectUnauthorized) {
    logger.warn(
      { url: endpoint.display },
      `TLS certificate verification is OFF for ${endpoint.display} (${urlLabel} asks for it); anyone on the path can impersonate the broker`,
    );
  }
  const checkHostname = reader.boolean(key('ssl_check_hostname')) ?? true;
  const sni = query.get('server_name_indication');
  const servername =
    reader.string(key('ssl_servername'), { nonEmpty: true }) ?? (sni && sni !== 'disable' ? sni : undefined);

  const settings: TlsSettings = {
    ca: caFile && readPem(reader, caFile),
    cert: certFile && readPem(reader, certFile),
    key: keyFile && readPem(reader, keyFile),
    passphrase: env[TLS_ENV.passphrase] || undefined,
    rejectUnauthorized,
    checkHostname,
    servername,
    origins: {
      ...(caFile ? { ca: caFile.origin } : {}),
      ...(certFile ? { cert: certFile.origin } : {}),
      ...(keyFile ? { key: keyFile.origin } : {}),
    },
  };
  checkUsable(settings);
  return settings;
}

function readPem(
  reader: ConfigReader,
  source: { path: string; origin: string; fromKey: string | undefined },
): Buffer {
  try {
    return readFileSync(source.path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const message = `cannot read the file ${JSON.stringify(source.path)} (${reason}); give the path of a PEM file readable by this process.`;
    if (source.fromKey) throw reader.error(source.fromKey, message, error);
    throw new ConfigError(`${source.origin}: ${message}`, { key: source.origin, cause: error });
  }
}

/** Loads the files into a TLS context once, so a bad PEM or a key that does not match fails now, naming the files. */
function checkUsable(settings: TlsSettings): void {
  try {
    // createSecureContext skips CA data that is not PEM; parsing the first certificate catches it.
    if (settings.ca) new X509Certificate(settings.ca);
    createSecureContext({
      ...(settings.ca ? { ca: settings.ca } : {}),
      ...(settings.cert ? { cert: settings.cert } : {}),
      ...(settings.key ? { key: settings.key } : {}),
      ...(settings.passphrase ? { passphrase: settings.passphrase } : {}),
    });
  } catch (error) {
    const files = Object.entries(settings.origins)
      .map(([what, origin]) => `${what} from ${origin}`)
      .join(', ');
    throw new TlsError(
      `The TLS files cannot be used (${(error as Error).message}); check that they are PEM files and that the key belongs to the certificate: ${files}.`,
      { cause: error, details: { origins: settings.origins } },
    );
  }
}
