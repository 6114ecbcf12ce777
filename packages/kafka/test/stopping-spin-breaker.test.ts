import { createRequire } from 'node:module';
import { noopLogger } from '@broker/core';
import { describe, expect, it } from 'vitest';
import { kafkajsLogCreator } from '../src/kafkajs/log-bridge';
import { FetcherSpinError, StoppingSpinBreaker } from '../src/kafkajs/stopping-spin-breaker';
import { captureLogger } from './capture-logger';

// kafkajs's own fetch manager and loggers (not part of its public API, hence require): the hang
// lives in them, so the test drives the real code rather than a model of it.
const require = createRequire(import.meta.url);
const createFetchManager = require('kafkajs/src/consumer/fetchManager') as (options: {
  logger: unknown;
  getNodeIds: () => string[];
  fetch: (nodeId: string) => Promise<unknown[]>;
  handler: (batch: unknown) => Promise<void>;
  concurrency: number;
}) => { start(): Promise<void>; stop(): Promise<void> };
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger(options: { level: number; logCreator: unknown }): {
    namespace(name: string): { debug(message: string, extra?: object): void };
    setLogLevel(level: number): void;
  };
  LEVELS: Record<'NOTHING' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG', number>;
};

/** Fetches answered after the runner stopped; past this, the test calls it a hang. */
const HANG = 200_000;

/**
 * What kafkajs's consumer does when a broker joins the cluster while it stops: fetcher 1 sees
 * the new broker and fails with a rebalance error, the fetch manager waits for fetcher 2's
 * long poll, the runner stops meanwhile (its fetchManager.stop() finds both fetchers already
 * stopping), then the long poll returns and the manager starts fetchers for the new brokers,
 * which ask the stopped runner for data in a loop that never yields.
 */
async function brokerJoinsWhileStopping(breaker: StoppingSpinBreaker | undefined): Promise<unknown> {
  const seen: string[] = [];
  const root = createLogger({
    level: LEVELS.DEBUG,
    logCreator: kafkajsLogCreator(noopLogger, (message) => {
      seen.push(message);
      breaker?.observe(message);
    }),
  });
  const runnerLog = root.namespace('Runner');
  let running = true;
  let nodeIds = ['1', '2'];
  let answeredStopped = 0;
  let endLongPoll: () => void = () => {};
  const longPoll = new Promise<void>((resolve) => (endLongPoll = resolve));
  const manager = createFetchManager({
    logger: root,
    getNodeIds: () => nodeIds,
    concurrency: 1,
    handler: async () => {},
    // The runner's fetch: nothing once stopped (kafkajs logs this line and returns []).
    fetch: async (nodeId) => {
      if (!running) {
        if (++answeredStopped > HANG) throw new Error('hang: the fetchers never stopped asking');
        runnerLog.debug('consumer not running, exiting', { groupId: 'g' });
        return [];
      }
      if (nodeId === '2') await longPoll;
      else await new Promise((resolve) => setTimeout(resolve, 2));
      return [];
    },
  });
  const outcome = manager.start().then(
    () => 'ended',
    (error: unknown) => error,
  );
  nodeIds = ['1', '2', '3'];
  await expect.poll(() => seen.includes('Stopping fetchers...')).toBe(true);
  // The runner stops: it marks itself stopped, arms the breaker and stops the fetchers it knows.
  running = false;
  breaker?.arm();
  await manager.stop();
  endLongPoll();
  return outcome;
}

describe('StoppingSpinBreaker', () => {
  it('reproduces the kafkajs hang without it: the new fetchers ask the stopped runner again and again', async () => {
    const outcome = await brokerJoinsWhileStopping(undefined);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(/^hang/);
  });

  it('ends the spinning fetchers from the log call, so kafkajs gets back to its timers', async () => {
    const logger = captureLogger();
    const outcome = await brokerJoinsWhileStopping(new StoppingSpinBreaker(() => {}, logger));
    expect(outcome).toBeInstanceOf(FetcherSpinError);
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      expect.stringMatching(/without yielding .*ending its fetchers/),
    ]);
  });

  it('is quiet until armed, and counts only within one turn of the event loop', async () => {
    let armed = 0;
    const breaker = new StoppingSpinBreaker(() => armed++);
    for (let i = 0; i < 5000; i++) breaker.observe('consumer not running, exiting');
    breaker.arm();
    breaker.arm();
    expect(armed).toBe(1);
    // A stopping consumer logs the line once per fetcher per turn: never a spin.
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 100; i++) breaker.observe('consumer not running, exiting');
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(() => {
      for (let i = 0; i < 1001; i++) breaker.observe('consumer not running, exiting');
    }).toThrow(FetcherSpinError);
  });

  it("arms itself when kafkajs's consumer reports a crash (it then disconnects by itself)", () => {
    let armed = 0;
    const breaker = new StoppingSpinBreaker(() => armed++);
    breaker.observe('Crash: KafkaJSNumberOfRetriesExceeded: Connection error');
    expect(armed).toBe(1);
  });
});

describe('kafkajsLogCreator', () => {
  it('shows the observer every line but forwards only those within the configured level', () => {
    const logger = captureLogger();
    const observed: string[] = [];
    const root = createLogger({
      level: LEVELS.WARN,
      logCreator: kafkajsLogCreator(logger, (message) => observed.push(message)),
    });
    root.setLogLevel(LEVELS.DEBUG);
    const log = root.namespace('Runner');
    log.debug('a debug line');
    expect(observed).toEqual(['a debug line']);
    expect(logger.lines).toEqual([]);
  });
});
