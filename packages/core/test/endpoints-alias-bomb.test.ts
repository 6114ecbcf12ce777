import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseEndpoints } from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'endpoints-aliases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Nine levels of nine aliases each: under 500 bytes, 9^9 (387 million) strings once expanded. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'abcdefghi';
  for (let level = 1; level < names.length; level++) {
    const previous = names[level - 1];
    lines.push(`${names[level]}: &${names[level]} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }
  lines.push('event_broker:', '  type: memory', '  x: *i');
  return `${lines.join('\n')}\n`;
}

/**
 * Loads the file in a child process with 100 MB of heap and a time limit, so that a regression
 * fails this test (out of memory, killed) instead of hanging the test run or exhausting the machine.
 */
function loadInBoundedChild(file: string): Record<string, unknown> {
  const script = `
    import { loadEndpoints } from ${JSON.stringify(join(__dirname, '../src/index.ts'))};
    try {
      loadEndpoints(${JSON.stringify(file)});
      console.log(JSON.stringify({ loaded: true }));
    } catch (error) {
      console.log(JSON.stringify({ name: error.name, code: error.code, file: error.file, message: error.message }));
    }`;
  const output = execFileSync(
    process.execPath,
    ['--max-old-space-size=100', '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
}

describe('YAML aliases in endpoints.yml', () => {
  it('refuses an alias bomb with a ConfigError naming the file, within a bounded heap', () => {
    const file = join(dir, 'endpoints.yml');
    const text = aliasBomb();
    expect(text.length).toBeLessThan(500);
    writeFileSync(file, text);
    const result = loadInBoundedChild(file);
    expect(result).toMatchObject({ name: 'ConfigError', code: 'BROKER_CONFIG', file });
    expect(result.message).toContain(`The endpoints file ${file} holds more than`);
    expect(result.message).toContain('YAML aliases');
  }, 40_000);

  it.each([
    ['a mapping', 'event_broker: &broker\n  type: memory\n  self: *broker\n', 'event_broker.self'],
    ['a list', 'event_broker:\n  queues: &queues [a, *queues]\n', 'event_broker.queues[1]'],
  ])('refuses an alias inside the node it names (%s), naming the key', (_, text, key) => {
    let caught: unknown;
    try {
      parseEndpoints(text, { file: '/app/endpoints.yml' });
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught), `got ${String(caught)}`).toBe(true);
    expect(caught).toMatchObject({ file: '/app/endpoints.yml', key });
    expect((caught as Error).message).toContain(
      `has a YAML alias at ${key} that points to a node containing it`,
    );
  });

  it('still expands ordinary anchors and aliases', () => {
    const { eventBroker, section } = parseEndpoints(
      'common: &rabbit\n  url: rabbit\n  queues: [a, b]\nevent_broker:\n  <<: *rabbit\n  type: pika\ncopy: *rabbit\n',
    );
    expect(eventBroker).toMatchObject({ type: 'pika', url: 'rabbit', kwargs: { queues: ['a', 'b'] } });
    expect(section('copy')?.kwargs).toEqual({ queues: ['a', 'b'] });
  });
});
