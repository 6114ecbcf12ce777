import diagnosticsChannel from 'node:diagnostics_channel';
import {
  CONNECTION_CHANNEL,
  CONSUME_CHANNEL,
  CONSUME_RETRY_CHANNEL,
  ConnectionError,
  type ConnectionStateMessage,
  type ConsumeContext,
  type ConsumeRetryMessage,
  noopLogger,
} from '@broker/core';
import { recordTracingChannel } from '@broker/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { EventConsumer } from '../src/consumer/event-consumer';
import { MemoryMessageSource } from './helpers/memory-message-source';
import { wireBody } from './helpers/wire';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Every phase of `broker:consume`, with the context as it was then. */
function recordConsume() {
  const recorder = recordTracingChannel<ConsumeContext>(CONSUME_CHANNEL);
  cleanups.push(recorder.stop);
  return recorder.phases;
}

function recordPlain<T>(name: string): T[] {
  const seen: T[] = [];
  const listener = (message: unknown) => seen.push(message as T);
  diagnosticsChannel.subscribe(name, listener);
  cleanups.push(() => diagnosticsChannel.unsubscribe(name, listener));
  return seen;
}

async function consumeAll(
  source: MemoryMessageSource,
  count: number,
  options: Partial<ConstructorParameters<typeof EventConsumer>[1]>,
) {
  const controller = new AbortController();
  const consumer = new EventConsumer(source, {
    signal: controller.signal,
    logger: noopLogger,
    retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 2 },
    handler: async () => {},
    ...options,
  });
  const run = consumer.run();
  await source.settledCount(count);
  controller.abort();
  return run;
}

describe('broker:consume', () => {
  it('traces a handled message: start and end at receipt, asyncStart handled, asyncEnd acknowledged', async () => {
    const seen = recordConsume();
    const source = new MemoryMessageSource();
    const body = wireBody('alice');
    source.push(body, { traceparent: 'x' });
    await consumeAll(source, 1, {});
    expect(seen.map((s) => [s.phase, s.snapshot.result, s.snapshot.settlement])).toEqual([
      ['start', undefined, undefined],
      ['end', undefined, undefined],
      ['asyncStart', 'handled', undefined],
      ['asyncEnd', 'handled', 'ack'],
    ]);
    expect(seen[0]?.context).toMatchObject({
      system: 'memory',
      source: 'memory',
      bodySize: Buffer.byteLength(body),
      headers: { traceparent: 'x' },
      senderId: 'alice',
      eventType: 'bot',
      retries: 0,
    });
  });

  it('publishes each retry, then the failure on error before asyncStart, and ends dead-lettered', async () => {
    const seen = recordConsume();
    const retries = recordPlain<ConsumeRetryMessage>(CONSUME_RETRY_CHANNEL);
    const source = new MemoryMessageSource();
    source.push(wireBody('bob'));
    const broken = new Error('cannot handle this one');
    await consumeAll(source, 1, {
      handler: async () => {
        throw broken;
      },
    });
    expect(retries.map((r) => [r.attempt, r.error])).toEqual([[1, broken]]);
    expect(retries[0]?.context).toBe(seen[0]?.context);
    expect(seen.map((s) => [s.phase, s.snapshot.result, s.snapshot.settlement])).toEqual([
      ['start', undefined, undefined],
      ['end', undefined, undefined],
      ['error', 'failed', undefined],
      ['asyncStart', 'failed', undefined],
      ['asyncEnd', 'failed', 'dead-letter'],
    ]);
    expect(seen[4]?.context).toMatchObject({ retries: 1, error: broken });
  });

  it('ends malformed and filtered messages with their result and settlement', async () => {
    const seen = recordConsume();
    const source = new MemoryMessageSource();
    source.push('not json');
    source.push(wireBody('carol', 'action', { name: 'action_listen' }));
    await consumeAll(source, 2, { filter: { types: ['bot'] } });
    const ends = seen
      .filter((s) => s.phase === 'asyncEnd')
      .map((s) => [s.snapshot.result, s.snapshot.settlement]);
    expect(ends).toEqual([
      ['malformed', 'dead-letter'],
      ['filtered', 'ack'],
    ]);
    expect(seen.filter((s) => s.phase === 'error').map((s) => s.snapshot.result)).toEqual(['malformed']);
  });

  it('builds nothing while nobody subscribes, and the consumer works the same', async () => {
    const source = new MemoryMessageSource();
    source.push(wireBody('dave'));
    const report = await consumeAll(source, 1, {});
    expect(report.stats).toMatchObject({ received: 1, handled: 1 });
  });
});

describe('broker:connection for a consumer', () => {
  it('reports paused when an outage starts and running when it ends', async () => {
    const seen = recordPlain<ConnectionStateMessage>(CONNECTION_CHANNEL);
    const source = new MemoryMessageSource();
    source.push(wireBody('erin'));
    let down = 2;
    await consumeAll(source, 1, {
      handler: async () => {
        if (down-- > 0) throw new ConnectionError('the CRM is unreachable');
      },
    });
    expect(seen.map((m) => [m.role, m.system, m.previous, m.state, m.what])).toEqual([
      ['consumer', 'memory', 'running', 'paused', 'handler'],
      ['consumer', 'memory', 'paused', 'running', 'handler'],
    ]);
    expect(seen[0]?.error).toMatchObject({ message: 'the CRM is unreachable' });
  });
});
