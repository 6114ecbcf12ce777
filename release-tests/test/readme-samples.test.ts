import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReadmeSamples, extractSamples, readmeFiles } from 'broker-scripts/lib/readme-samples.mjs';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const README = [
  '# A package', // 1
  '', // 2
  '```ts', // 3
  "import { readFileSync } from 'node:fs';", // 4
  "const text: string = readFileSync('x', 'utf8');", // 5
  '```', // 6
  '', // 7
  '```sh', // 8
  'npm install something', // 9
  '```', // 10
  '', // 11
  '<!-- sample-context: declare const crm: { note(text: string): void }; -->', // 12
  '```ts', // 13
  "crm.note('hello');", // 14
  'const count: number = crm.note;', // 15
  '```', // 16
  '', // 17
  '<!-- sample-context:', // 18
  'declare const logger: { info(message: string): void };', // 19
  'const wrong: string = 42;', // 20
  '-->', // 21
  '```typescript', // 22
  "logger.info('ready');", // 23
  'logger.warn(text);', // 24
  '```', // 25
  '',
].join('\n');

describe('README samples', () => {
  it('extracts the ```ts blocks with their first line and the hidden context right above them', () => {
    const samples = extractSamples(README);
    expect(samples.map(({ line, context, contextLine }) => ({ line, context, contextLine }))).toEqual([
      { line: 4, context: '', contextLine: 0 },
      { line: 14, context: ' declare const crm: { note(text: string): void }; ', contextLine: 12 },
      {
        line: 23,
        context: '\ndeclare const logger: { info(message: string): void };\nconst wrong: string = 42;\n',
        contextLine: 18,
      },
    ]);
    expect(samples[1]?.code).toBe("crm.note('hello');\nconst count: number = crm.note;");
  });

  it('compiles each sample on its own and reports problems at their README line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-samples-'));
    const readme = join(dir, 'README.md');
    writeFileSync(readme, README);
    const { samples, problems } = checkReadmeSamples(dir, [readme]);
    expect(samples).toBe(3);
    expect(problems.map(({ file, line, code }) => `${file}:${line} TS${code}`)).toEqual([
      'README.md:15 TS2322', // a function is not a number
      'README.md:20 TS2322', // in the hidden context
      'README.md:24 TS2339', // logger has no warn
      'README.md:24 TS2304', // `text` is the first sample's: samples do not share names
    ]);
  });

  it("type-checks every TypeScript sample of the repository's READMEs against the built packages", () => {
    const files = readmeFiles(root).map((file) => file.slice(root.length));
    expect(files).toEqual(expect.arrayContaining(['README.md', 'packages/consumers/README.md']));
    const { samples, problems } = checkReadmeSamples(root);
    expect(samples).toBeGreaterThan(10);
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column} TS${p.code}: ${p.message}`)).toEqual([]);
  });
});
