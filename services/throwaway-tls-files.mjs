// Throwaway TLS files for settings tests, in which nothing connects (see throwaway-tls-files.d.mts).
// Made with openssl in a temp folder at test time; key material is never committed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KEY_PASSWORD = 'key-secret';

export function generateTlsFiles(prefix = 'broker-tls-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = (name) => join(dir, name);
  const openssl = (...args) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    ...ec,
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
  openssl('genpkey', '-algorithm', 'EC', ...ec, '-out', file('other-key.pem'));
  openssl(
    'pkey',
    '-in',
    file('key.pem'),
    '-aes256',
    '-passout',
    `pass:${KEY_PASSWORD}`,
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
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
