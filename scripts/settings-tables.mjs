#!/usr/bin/env node
// The option tables of the adapter READMEs are generated from the settings tables the adapters
// declare (their descriptor's `settings`): this checks that each README's table (between the
// `settings-table` markers) is what the table gives, and with --write rewrites it. Needs the
// packages built (`pnpm docs:settings` builds them). Exit 1 when a README differs.
// Usage: node scripts/settings-tables.mjs [--write]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ADAPTER_PACKAGES = ['pika', 'kafka'];
const START = '<!-- settings-table:start (generated from the settings table: pnpm docs:settings:write) -->';
const END = '<!-- settings-table:end -->';

const code = (name) => `\`${name}\``;

/** One README row: the YAML key and its aliases, the option and its aliases, the default, the meaning. */
function row(spec) {
  const spelled = (key, aliases = []) =>
    [code(key), ...aliases.map((alias) => `alias ${code(alias)}`)].join(', ');
  const yaml = spec.yaml === null ? '(code only)' : spelled(spec.yaml, spec.aliases?.yaml);
  const option = spec.code === null ? '(YAML only)' : spelled(spec.code, spec.aliases?.code);
  const fallback = spec.defaultText ?? (spec.default === undefined ? '-' : code(String(spec.default)));
  return [yaml, option, fallback, spec.description];
}

function table(settings) {
  const rows = [
    ['YAML key', 'code option', 'default', 'meaning'],
    ['-', '-', '-', '-'],
  ];
  rows.push(...Object.values(settings).map(row));
  return rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Biome formats the READMEs (`pnpm lint`): the generated text goes through it to compare like with like. */
function formatMarkdown(path, text) {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  const result = spawnSync(biome, ['format', `--stdin-file-path=${path}`], { input: text, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`biome could not format ${path}: ${result.stderr}`);
  return result.stdout;
}

const write = process.argv.includes('--write');
let stale = 0;
for (const name of ADAPTER_PACKAGES) {
  const { adapter } = await import(pathToFileURL(join(root, 'packages', name, 'dist', 'index.js')).href);
  const path = join(root, 'packages', name, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path}: no ${START} ... ${END} markers`);
  const generated = formatMarkdown(
    path,
    `${readme.slice(0, start + START.length)}\n\n${table(adapter.settings)}\n\n${readme.slice(end)}`,
  );
  if (generated === readme) continue;
  if (write) {
    writeFileSync(path, generated);
    console.log(`${path}: option table written`);
  } else {
    stale += 1;
    console.log(
      `${path}: the option table differs from ${name}'s settings table; run pnpm docs:settings:write`,
    );
  }
}
if (stale === 0 && !write) console.log('settings tables: every README matches');
process.exitCode = stale === 0 ? 0 : 1;
