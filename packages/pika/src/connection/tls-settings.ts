import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, TlsError } from '@broker/core';
import type { PikaSettingsReader } from '../pika-settings';
import type { AmqpEndpoint } from './amqp-endpoint';

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

const FILE_KEYS = ['sslCafile', 'sslCertfile', 'sslKeyfile'] as const;
const ALL_KEYS = [...FILE_KEYS, 'sslCheckHostname', 'sslServername'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** True when certificate keys or Rasa's client-certificate variables ask for TLS on a bare host name. */
export function tlsRequestedOutsideUri(settings: PikaSettingsReader, env: Env): boolean {
  const fileKeyGiven = FILE_KEYS.some((name) => settings.has(name));
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
  settings: PikaSettingsReader,
  endpoint: AmqpEndpoint,
  env: Env,
): TlsSettings | undefined {
  if (!endpoint.tls) {
    const given = ALL_KEYS.find((name) => settings.has(name));
    if (given) {
      const why = endpoint.fromUri
        ? `${settings.keyName('url')} is a plain amqp:// URL; use amqps:// to connect with TLS.`
        : `TLS is off: also give ${settings.key('sslCafile')} (or a client certificate), or use an amqps:// URL.`;
      throw settings.error(given, `is a TLS setting, but ${why}`);
    }
    if (env[TLS_ENV.cert] || env[TLS_ENV.key] || env[TLS_ENV.ca]) {
      settings.logger.warn(
        { variables: Object.values(TLS_ENV).filter((name) => env[name]) },
        `RabbitMQ TLS environment variables are set but ignored: ${settings.keyName('url')} is a plain amqp:// URL`,
      );
    }
    return undefined;
  }

  const query = endpoint.query;
  const urlLabel = `the query of ${settings.keyName('url')}`;
  const pick = (
    name: (typeof FILE_KEYS)[number],
    queryNames: string[],
    envName: string,
  ): PemSource | undefined => {
    const fromKey = settings.get(name);
    if (fromKey !== undefined) return { path: fromKey, origin: settings.keyName(name), fromKey: name };
    for (const name of queryNames) {
      const value = query.get(name);
      if (value) return { path: value, origin: `${name} in ${urlLabel}`, fromKey: undefined };
    }
    const fromEnv = env[envName];
    if (fromEnv) return { path: fromEnv, origin: `environment variable ${envName}`, fromKey: undefined };
    return undefined;
  };

  const caFile = pick('sslCafile', ['cacertfile', 'cafile'], TLS_ENV.ca);
  const certFile = pick('sslCertfile', ['certfile'], TLS_ENV.cert);
  const keyFile = pick('sslKeyfile', ['keyfile'], TLS_ENV.key);
  if (Boolean(certFile) !== Boolean(keyFile)) {
    const [have, missing] = certFile
      ? ([certFile, 'sslKeyfile'] as const)
      : ([keyFile!, 'sslCertfile'] as const);
    const message = `a client certificate needs both its certificate and its private key: ${have.origin} is set, but no ${settings.key(missing)} was given (nor ${missing === 'sslKeyfile' ? TLS_ENV.key : TLS_ENV.cert}).`;
    throw have.fromKey
      ? settings.error(have.fromKey, message)
      : new ConfigError(message, { key: have.origin });
  }

  const verify = query.get('verify');
  const noVerify = query.get('no_verify_ssl');
  const rejectUnauthorized = !(
    verify === 'verify_none' ||
    (noVerify !== undefined && noVerify !== '0' && noVerify.toLowerCase() !== 'false')
  );
  if (!rejectUnauthorized) {
    settings.logger.warn(
      { url: endpoint.display },
      `TLS certificate verification is OFF for ${endpoint.display} (${urlLabel} asks for it); anyone on the path can impersonate the broker`,
    );
  }
  const checkHostname = settings.get('sslCheckHostname');
  const sni = query.get('server_name_indication');
  const servername = settings.get('sslServername') ?? (sni && sni !== 'disable' ? sni : undefined);

  const tls: TlsSettings = {
    ca: caFile && readPem(settings, caFile),
    cert: certFile && readPem(settings, certFile),
    key: keyFile && readPem(settings, keyFile),
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
  checkUsable(tls);
  return tls;
}

/** Where a PEM file's path came from: a setting (`fromKey`), the URL query or an environment variable. */
interface PemSource {
  path: string;
  origin: string;
  fromKey: (typeof FILE_KEYS)[number] | undefined;
}

function readPem(settings: PikaSettingsReader, source: PemSource): Buffer {
  try {
    return readFileSync(source.path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const message = `cannot read the file ${JSON.stringify(source.path)} (${reason}); give the path of a PEM file readable by this process.`;
    if (source.fromKey) throw settings.error(source.fromKey, message, error);
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
