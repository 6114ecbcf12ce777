import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Shapes of real secrets. A key's PEM header alone is not one (the code checks for it); the
 * header followed by base64 key material is.
 */
const SECRET_SHAPES = [
  { name: 'a PEM private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{40}/ },
  { name: 'a PEM certificate', pattern: /-----BEGIN CERTIFICATE-----\s*[A-Za-z0-9+/=]{40}/ },
  { name: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36}\b/ },
  { name: 'an AWS access key id', pattern: /\bAKIA[0-9A-Z]{16}\b/ },
  {
    // user:password@ in a URL, except RabbitMQ's documented default and documentation placeholders
    name: 'a URL with a password',
    pattern:
      /\b[a-z][a-z0-9+.-]*:\/\/(?!(?:guest:guest|user:password|user:pass|username:password)@)[^\s/:@'"`<>{}[\]$]+:[^\s/@'"`<>{}[\]$*]+@/,
  },
];

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/**
 * Looks through every file of an unpacked package for things that must never be published.
 *
 * @param {string} dir the unpacked package
 * @returns {string[]} problems, naming file and kind (never the secret itself)
 */
export function scanForSecrets(dir) {
  const problems = [];
  for (const path of walk(dir)) {
    const text = readFileSync(path, 'latin1');
    for (const { name, pattern } of SECRET_SHAPES) {
      if (pattern.test(text)) problems.push(`${relative(dir, path)} contains ${name}.`);
    }
  }
  return problems;
}
