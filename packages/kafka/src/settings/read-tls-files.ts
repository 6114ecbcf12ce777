import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { ConfigReader } from '@broker/core';

/** PEM material for the TLS connection, read once at construction. */
export interface TlsMaterial {
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  passphrase: string | undefined;
}

export interface TlsFileKeys {
  cafile: string;
  certfile: string;
  keyfile: string;
  keyPassword: string;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN (?:ENCRYPTED |RSA |EC |DSA )?PRIVATE KEY-----/;

/**
 * Reads `ssl_cafile`, `ssl_certfile` and `ssl_keyfile` (relative paths from the working
 * directory, as Rasa passes them to its client) and checks them before any connection: a missing
 * or unreadable file, a file that is not PEM, a certificate without its key, or a key that does
 * not match its certificate is a ConfigError naming the key and the file.
 */
export function readTlsFiles(reader: ConfigReader, keys: TlsFileKeys): TlsMaterial {
  const caPath = reader.string(keys.cafile, { nonEmpty: true });
  const certPath = reader.string(keys.certfile, { nonEmpty: true });
  const keyPath = reader.string(keys.keyfile, { nonEmpty: true });
  const passphrase = reader.string(keys.keyPassword);
  if ((certPath === undefined) !== (keyPath === undefined)) {
    const missing = certPath === undefined ? keys.certfile : keys.keyfile;
    const given = certPath === undefined ? keys.keyfile : keys.certfile;
    throw reader.error(
      missing,
      `is required when ${reader.keyName(given)} is set: a client certificate needs its private key and the other way round.`,
    );
  }
  const ca =
    caPath === undefined ? undefined : readPem(reader, keys.cafile, caPath, CERTIFICATE, 'a certificate');
  const cert =
    certPath === undefined
      ? undefined
      : readPem(reader, keys.certfile, certPath, CERTIFICATE, 'a certificate');
  const key =
    keyPath === undefined ? undefined : readPem(reader, keys.keyfile, keyPath, PRIVATE_KEY, 'a private key');
  if (cert !== undefined && key !== undefined) {
    try {
      createSecureContext({ cert, key, passphrase });
    } catch (cause) {
      throw reader.error(
        keys.keyfile,
        `the key in ${resolve(keyPath!)} cannot be used with the certificate in ${resolve(certPath!)} ` +
          `(${(cause as Error).message}). Check that they belong together, and set ${reader.keyName(keys.keyPassword)} if the key is encrypted.`,
        cause,
      );
    }
  }
  return { ca, cert, key, passphrase };
}

function readPem(reader: ConfigReader, key: string, path: string, marker: RegExp, what: string): string {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (cause as Error).message;
    throw reader.error(
      key,
      `cannot read ${absolute} (${reason}). Relative paths are resolved from the working directory ${process.cwd()}.`,
      cause,
    );
  }
  if (!marker.test(text)) {
    throw reader.error(key, `${absolute} does not contain ${what} in PEM format (-----BEGIN ...-----).`);
  }
  return text;
}
