import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/run-cli';
import { deleteRabbit, endpointsFile, pikaEndpoint, rabbitNames, requireRabbitMq } from '../helpers/services';
import { wireBody } from '../helpers/wire';

let url: string;
const created: { queue: string; exchange: string }[] = [];

function rabbit(extra: Record<string, unknown> = {}) {
  const names = rabbitNames();
  created.push(names);
  return { names, endpoints: endpointsFile({ ...pikaEndpoint(url, names), ...extra }) };
}

/** How many lines of `text` contain `part`. */
const count = (text: string, part: string) => text.split('\n').filter((line) => line.includes(part)).length;

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
});

afterAll(async () => {
  for (const names of created) await deleteRabbit(url, names);
});

describe('every message of the command line once', () => {
  it('says once that it consumes the queue, and its JSON lines carry each key once', async () => {
    const { endpoints, names } = rabbit();
    expect((await runCli(['publish', '-e', endpoints, '-'], { input: `${wireBody('once')}\n` })).code).toBe(
      0,
    );
    const text = await runCli(['consume', '-e', endpoints, '--max-events', '1']);
    expect(text.code).toBe(0);
    expect(count(text.stderr, `consuming queue ${names.queue}`), text.stderr).toBe(1);

    expect((await runCli(['publish', '-e', endpoints, '-'], { input: `${wireBody('once')}\n` })).code).toBe(
      0,
    );
    const json = startCli([
      'consume',
      '-e',
      endpoints,
      '--json',
      '--log-level',
      'debug',
      '--max-events',
      '1',
    ]);
    const result = await json.done;
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => line.includes(`"consuming queue ${names.queue}`))).toHaveLength(1);
    // A key written twice does not survive a parse and re-serialisation unchanged.
    for (const line of lines) expect(JSON.stringify(JSON.parse(line)), line).toBe(line);
  });

  it('reports rejected credentials once (publish, exit 4)', async () => {
    const { endpoints } = rabbit({ password: 'wrong-password' });
    const result = await runCli(['publish', '-e', endpoints, '-'], { input: `${wireBody('refused')}\n` });
    expect(result.code).toBe(4);
    expect(result.stderr).not.toContain('wrong-password');
    expect(count(result.stderr, 'refused the login'), result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^broker: error: .*refused the login/m);
  });

  it('reports rejected credentials once (consume, exit 4)', async () => {
    const { endpoints } = rabbit({ password: 'wrong-password' });
    const result = await runCli(['consume', '-e', endpoints]);
    expect(result.code).toBe(4);
    expect(count(result.stderr, 'refused the login'), result.stderr).toBe(1);
  });
});
