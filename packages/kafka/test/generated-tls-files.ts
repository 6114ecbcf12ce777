import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GeneratedTlsFiles {
  dir: string;
  ca: string;
  cert: string;
  key: string;
  /** A key that does not belong to `cert`. */
  otherKey: string;
  /** `key`, encrypted with the password `key-secret`. */
  encryptedKey: string;
  /** A file that is not PEM. */
  notPem: string;
}

/** A throwaway self-signed certificate and keys, made with openssl, for settings tests (nothing connects). */
export function generateTlsFiles(): GeneratedTlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'broker-kafka-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('key.pem'),
    '-out',
    file('cert.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
  );
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file('other-key.pem'));
  openssl(
    'pkey',
    '-in',
    file('key.pem'),
    '-aes256',
    '-passout',
    'pass:key-secret',
    '-out',
    file('key-encrypted.pem'),
  );
  writeFileSync(file('not-pem.txt'), 'this is not a certificate\n');
  return {
    dir,
    ca: file('cert.pem'),
    cert: file('cert.pem'),
    key: file('key.pem'),
    otherKey: file('other-key.pem'),
    encryptedKey: file('key-encrypted.pem'),
    notPem: file('not-pem.txt'),
  };
}
