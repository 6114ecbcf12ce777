import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { childLogger, type Logger } from '../src/logging/logger';

/** A real pino logger writing synchronously into `lines`. */
function pinoInto(lines: string[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').trim().split('\n'));
      done();
    },
  });
  return pino({ base: undefined, timestamp: false }, stream);
}

/** A line written with a key twice does not survive a parse and re-serialisation unchanged. */
function expectUniqueKeys(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(JSON.stringify(JSON.parse(line)), line).toBe(line);
}

describe('childLogger over pino', () => {
  it('leaves out a log call field the child already binds', () => {
    const lines: string[] = [];
    const logger = childLogger(pinoInto(lines), { component: 'consumer', source: 'pika' });
    logger.info({ source: 'pika', from: 'queue q' }, 'consuming queue q');
    expectUniqueKeys(lines);
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: 30,
      component: 'consumer',
      source: 'pika',
      from: 'queue q',
      msg: 'consuming queue q',
    });
  });

  it("keeps the application's own binding and adds only the new keys", () => {
    const lines: string[] = [];
    const application = pinoInto(lines).child({ component: 'crm-sync' });
    const logger = childLogger(application, { component: 'consumer', source: 'kafka' });
    logger.warn({ attempt: 2 }, 'retrying');
    childLogger(logger, { component: 'sink', sink: 'postgres' }).error('stored nothing');
    expectUniqueKeys(lines);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: 40, component: 'crm-sync', source: 'kafka', attempt: 2, msg: 'retrying' },
      { level: 50, component: 'crm-sync', source: 'kafka', sink: 'postgres', msg: 'stored nothing' },
    ]);
  });

  it('passes errors and plain messages through untouched', () => {
    const lines: string[] = [];
    const logger = childLogger(pinoInto(lines), { broker: 'pika' });
    logger.error({ err: new Error('refused'), broker: 'pika' }, 'failed');
    logger.debug('not written at info level');
    logger.info('ready');
    expectUniqueKeys(lines);
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: 50, broker: 'pika', err: { message: 'refused' }, msg: 'failed' },
      { level: 30, broker: 'pika', msg: 'ready' },
    ]);
  });
});

describe('childLogger over other loggers', () => {
  it('returns a logger without child() as it is', () => {
    const plain: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    expect(childLogger(plain, { broker: 'kafka' })).toBe(plain);
  });

  it('tells a child without bindings() which keys it binds', () => {
    const calls: unknown[][] = [];
    const made: Record<string, unknown>[] = [];
    const make = (bound: Record<string, unknown>): Logger => ({
      debug: (...args: unknown[]) => calls.push(['debug', bound, ...args]),
      info: (...args: unknown[]) => calls.push(['info', bound, ...args]),
      warn: (...args: unknown[]) => calls.push(['warn', bound, ...args]),
      error: (...args: unknown[]) => calls.push(['error', bound, ...args]),
      child: (bindings) => {
        made.push(bindings);
        return make({ ...bound, ...bindings });
      },
    });
    const logger = childLogger(childLogger(make({}), { source: 'pika' }), { source: 'pika', queue: 'q' });
    logger.info({ source: 'pika', queue: 'q', n: 1 }, 'hello');
    expect(made).toEqual([{ source: 'pika' }, { queue: 'q' }]);
    expect(calls).toEqual([['info', { source: 'pika', queue: 'q' }, { n: 1 }, 'hello']]);
    expect(logger.bindings?.()).toEqual({ source: 'pika', queue: 'q' });
  });
});
