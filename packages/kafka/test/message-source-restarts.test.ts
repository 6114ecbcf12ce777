import { AuthenticationError, type SourceMessage } from '@broker/core';
import { describe, expect, it } from 'vitest';
import type { ConsumedBatch, ConsumerClient, ConsumerHandlers } from '../src/client/kafka-client';
import {
  CONSUMER_CLIENT_FACTORY,
  KafkaMessageSource,
  type KafkaMessageSourceOptions,
} from '../src/kafka-message-source';
import { captureLogger } from './capture-logger';

/** What kafkajs hands over when its consumer stops on a retryable network error, and on refused credentials. */
const networkFailure = Object.assign(new Error('Connection error: read ECONNRESET'), {
  name: 'KafkaJSNumberOfRetriesExceeded',
  cause: Object.assign(new Error('Connection error: read ECONNRESET'), {
    name: 'KafkaJSConnectionError',
    code: 'ECONNRESET',
    retriable: true,
  }),
});
const refusedCredentials = Object.assign(
  new Error('SASL PLAIN authentication failed: Authentication failed'),
  {
    name: 'KafkaJSSASLAuthenticationError',
  },
);

function batchOf(offset: string): ConsumedBatch {
  return {
    topic: 'events',
    partition: 0,
    records: [
      {
        topic: 'events',
        partition: 0,
        offset,
        key: Buffer.from('s'),
        value: Buffer.from('{"sender_id": "s", "event": "restart", "timestamp": 1.0}'),
        headers: {},
        timestamp: '0',
      },
    ],
    isActive: () => true,
    heartbeat: async () => undefined,
    markFetched: () => undefined,
  };
}

/** A consumer client whose runs are scripted: the source's restart loop is under test, not Kafka. */
function scriptedClients(runs: ((handlers: ConsumerHandlers) => void)[]) {
  const startedAt: number[] = [];
  const commits: string[] = [];
  const factory = (): ConsumerClient => ({
    async start(handlers) {
      startedAt.push(performance.now());
      const run = runs[startedAt.length - 1];
      if (run) setTimeout(() => run(handlers), 10);
    },
    pause: () => undefined,
    commit: async (offsets) => {
      commits.push(...offsets.map((o) => o.offset));
    },
    stop: async () => undefined,
  });
  return { factory, startedAt, commits };
}

function source(factory: () => ConsumerClient, extra: Partial<KafkaMessageSourceOptions> = {}) {
  return new KafkaMessageSource({
    url: 'localhost:9092',
    topic: 'events',
    retryBackoffMs: 100,
    drainTimeoutMs: 1000,
    ...extra,
    [CONSUMER_CLIENT_FACTORY]: factory,
  } as KafkaMessageSourceOptions);
}

describe('KafkaMessageSource restart policy', () => {
  it('restarts a crashed consumer after a backoff, logs it, and goes on delivering', async () => {
    const logger = captureLogger();
    const clients = scriptedClients([
      (handlers) => handlers.onCrash(networkFailure),
      (handlers) => {
        handlers.onAssigned({ events: [0] });
        void handlers.onBatch(batchOf('7'));
      },
    ]);
    const controller = new AbortController();
    const delivered: SourceMessage[] = [];
    await source(clients.factory, { logger }).consume(
      (message) => {
        delivered.push(message);
        void message.settle({ outcome: 'ack' }).then(() => controller.abort());
      },
      { maxInFlight: 10, signal: controller.signal },
    );
    expect(clients.startedAt).toHaveLength(2);
    const pause = clients.startedAt[1]! - clients.startedAt[0]!;
    expect(pause).toBeGreaterThanOrEqual(250);
    expect(delivered.map((m) => m.position)).toEqual(['events[0]@7']);
    expect(clients.commits).toEqual(['8']);
    const restart = logger.lines.find((line) => /restarting in \d+ ms/.test(line.message));
    expect(restart?.level).toBe('error');
    expect(restart?.message).toContain('ECONNRESET');
  });

  it('does not restart on refused credentials: consume() ends with the AuthenticationError', async () => {
    const clients = scriptedClients([(handlers) => handlers.onCrash(refusedCredentials)]);
    const error = await source(clients.factory, { saslUsername: 'u', saslPassword: 'p' })
      .consume(() => undefined, { maxInFlight: 1, signal: new AbortController().signal })
      .catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(clients.startedAt).toHaveLength(1);
  });
});
