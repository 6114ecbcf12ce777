import { Writable } from 'node:stream';
import { childLogger } from '@broker/core';
import { describe, expect, it } from 'vitest';
import { alreadyLogged, createCliLogger } from '../src/cli/cli-logger';

function into(lines: string[]): NodeJS.WritableStream {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8').replace(/\n$/, ''));
      done();
    },
  });
}

describe('the CLI logger', () => {
  it('writes each key once with --json, under the components of core and the adapters', () => {
    const lines: string[] = [];
    const root = createCliLogger({ level: 'debug', json: true, stream: into(lines) });
    const consumer = childLogger(root, { component: 'consumer', source: 'pika' });
    consumer.info({ source: 'pika', from: 'queue q' }, 'consuming queue q');
    childLogger(consumer, { component: 'sink', sink: 'postgres' }).warn({ msg: 'not the message' }, 'slow');
    for (const line of lines) expect(JSON.stringify(JSON.parse(line)), line).toBe(line);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        msg: 'consuming queue q',
        component: 'consumer',
        source: 'pika',
        from: 'queue q',
      },
      {
        level: 'warn',
        time: expect.any(String),
        msg: 'slow',
        component: 'consumer',
        source: 'pika',
        sink: 'postgres',
      },
    ]);
  });

  it('tells which errors it wrote at error level, so the final report does not repeat them', () => {
    const lines: string[] = [];
    const logger = childLogger(createCliLogger({ level: 'info', json: false, stream: into(lines) }), {
      broker: 'pika',
    });
    const refused = new Error('refused the login');
    const warned = new Error('cannot connect');
    logger.warn({ err: warned }, 'retrying');
    logger.error({ err: refused }, 'pika broker failed and stopped: refused the login');
    expect(alreadyLogged(refused)).toBe(true);
    expect(alreadyLogged(warned)).toBe(false);
    expect(lines).toEqual([
      'broker: warn: retrying',
      'broker: error: pika broker failed and stopped: refused the login',
    ]);
    // Not written (below the level): not reported either.
    const silent = createCliLogger({ level: 'silent', json: false, stream: into(lines) });
    const unseen = new Error('unseen');
    silent.error({ err: unseen }, 'unseen');
    expect(alreadyLogged(unseen)).toBe(false);
  });
});
