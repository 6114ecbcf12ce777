// Smoke test of the test bed (foundation issue): raw kafkajs against the local Kafka, no code of
// ours on the path. If this fails, every other Kafka test fails for the same reason.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort, requireKafka } from 'broker-test-kit';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';

describe('Kafka test bed', () => {
  it('raw kafkajs produces to a fresh topic and a fresh group consumes the same record back', async () => {
    const { plaintext } = await requireKafka('single', { timeoutMs: 10_000 });
    const topic = `kafka-smoke-${randomUUID()}`;
    const groupId = `kafka-smoke-group-${randomUUID()}`;
    const value = JSON.stringify({ sender_id: 'smoke', event: 'restart', timestamp: Date.now() / 1000 });
    const kafka = new Kafka({ clientId: 'kafka-smoke', brokers: [plaintext], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId });
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
      await producer.connect();
      const [sent] = await producer.send({ topic, acks: -1, messages: [{ key: 'smoke', value }] });
      expect(sent!.errorCode).toBe(0);

      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const received = new Promise<{ key: string | undefined; value: string | undefined; offset: string }>(
        (resolve) => {
          void consumer.run({
            eachMessage: async ({ message }) =>
              resolve({
                key: message.key?.toString('utf8'),
                value: message.value?.toString('utf8'),
                offset: message.offset,
              }),
          });
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no record on ${topic} within 30 s`)), 30_000);
      });
      const record = await Promise.race([received, timeout]).finally(() => clearTimeout(timer));
      expect(record).toEqual({ key: 'smoke', value, offset: sent!.baseOffset });
    } finally {
      await consumer.disconnect().catch(() => {});
      await producer.disconnect().catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });

  it('a Kafka that does not answer fails with a message saying how to start it (never a skip)', async () => {
    const port = await closedPort();
    const dir = mkdtempSync(join(tmpdir(), 'kafka-smoke-services-'));
    const before = process.env.BROKER_SERVICES_DIR;
    try {
      writeFileSync(
        join(dir, 'services.json'),
        JSON.stringify({ kafka: { single: { plaintext: `127.0.0.1:${port}` } } }),
      );
      process.env.BROKER_SERVICES_DIR = dir;
      const error = await requireKafka('single', { timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect((error as Error).message).toMatch(
        /does not answer ApiVersions.*Start it with: pnpm services:up/,
      );

      rmSync(join(dir, 'services.json'));
      const missing = await requireKafka('single').catch((e: unknown) => e);
      expect((missing as Error).message).toMatch(
        /not set up: .*services\.json does not exist.*pnpm services:up/,
      );
    } finally {
      if (before === undefined) delete process.env.BROKER_SERVICES_DIR;
      else process.env.BROKER_SERVICES_DIR = before;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
