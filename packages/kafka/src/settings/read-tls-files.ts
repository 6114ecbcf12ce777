import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { KafkaSettingsReader } from './read-connection-settings';

/** PEM material for the TLS connection, read once at construction. */
export interface TlsMaterial {
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  passphrase: string | undefined;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN (?:ENCRYPTED |RSA |EC |DSA )?PRIVATE KEY-----/;

/**
 * Reads `ssl_cafile`, `ssl_certfile` and `ssl_keyfile` (relative paths from the working
 * directory, as Rasa passes them to its client) and checks them before any connection: a missing
 * or unreadable file, a file that is not PEM, a certificate without its key, or a key that does
 * not match its certificate is a ConfigError naming the key and the file.
 */
export function readTlsFiles(settings: KafkaSettingsReader): TlsMaterial {
  const caPath = settings.get('sslCafile');
  const certPath = settings.get('sslCertfile');
  const keyPath = settings.get('sslKeyfile');
  const passphrase = settings.get('sslKeyPassword');
  if ((certPath === undefined) !== (keyPath === undefined)) {
    const missing = certPath === undefined ? 'sslCertfile' : 'sslKeyfile';
    const given = certPath === undefined ? 'sslKeyfile' : 'sslCertfile';
    throw settings.error(
      missing,
      `is required when ${settings.keyName(given)} is set: a client certificate needs its private key and the other way round.`,
    );
  }
  const ca =
    caPath === undefined ? undefined : readPem(settings, 'sslCafile', caPath, CERTIFICATE, 'a certificate');
  const cert =
    certPath === undefined
      ? undefined
      : readPem(settings, 'sslCertfile', certPath, CERTIFICATE, 'a certificate');
  const key =
    keyPath === undefined
      ? undefined
      : readPem(settings, 'sslKeyfile', keyPath, PRIVATE_KEY, 'a private key');
  if (cert !== undefined && key !== undefined) {
    try {
      createSecureContext({ cert, key, passphrase });
    } catch (cause) {
      throw settings.error(
        'sslKeyfile',
        `the key in ${resolve(keyPath!)} cannot be used with the certificate in ${resolve(certPath!)} ` +
          `(${(cause as Error).message}). Check that they belong together, and set ${settings.keyName('sslKeyPassword')} if the key is encrypted.`,
        cause,
      );
    }
  }
  return { ca, cert, key, passphrase };
}

function readPem(
  settings: KafkaSettingsReader,
  key: 'sslCafile' | 'sslCertfile' | 'sslKeyfile',
  path: string,
  marker: RegExp,
  what: string,
): string {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (cause as Error).message;
    throw settings.error(
      key,
      `cannot read ${absolute} (${reason}). Relative paths are resolved from the working directory ${process.cwd()}.`,
      cause,
    );
  }
  if (!marker.test(text)) {
    throw settings.error(key, `${absolute} does not contain ${what} in PEM format (-----BEGIN ...-----).`);
  }
  return text;
}
