// Smoke test of the test bed (foundation issue): raw amqplib against the local RabbitMQ, no code
// of ours on the path. If this fails, every other RabbitMQ test fails for the same reason.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type GetMessage } from 'amqplib';
import { closedPort, requireRabbitMq } from 'broker-test-kit';
import { describe, expect, it } from 'vitest';

describe('RabbitMQ test bed', () => {
  it('raw amqplib publishes to a fresh queue and reads the same message back', async () => {
    const { url } = await requireRabbitMq('main');
    const queue = `pika-smoke-${randomUUID()}`;
    const body = JSON.stringify({ sender_id: 'smoke', event: 'restart', timestamp: Date.now() / 1000 });
    const connection = await connect(url);
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue(queue, { durable: false, autoDelete: false });
      try {
        channel.sendToQueue(queue, Buffer.from(body), { persistent: true, messageId: queue });
        await channel.waitForConfirms();

        // basic.get until the message is there (it is, once confirmed; the loop only guards a slow node).
        let message: GetMessage | false = false;
        for (let i = 0; i < 50 && !message; i++) {
          message = await channel.get(queue, { noAck: false });
          if (!message) await new Promise((r) => setTimeout(r, 100));
        }
        expect(message).not.toBe(false);
        const got = message as GetMessage;
        expect(got.content.toString('utf8')).toBe(body);
        expect(got.properties.messageId).toBe(queue);
        expect(got.properties.deliveryMode).toBe(2);
        channel.ack(got);
        // Exactly one message went in, so the queue is empty now.
        expect(await channel.get(queue)).toBe(false);
      } finally {
        await channel.deleteQueue(queue);
        await channel.close();
      }
    } finally {
      await connection.close();
    }
  });

  it('a RabbitMQ that does not answer fails with a message saying how to start it (never a skip)', async () => {
    const port = await closedPort();
    const dir = mkdtempSync(join(tmpdir(), 'pika-smoke-services-'));
    const before = process.env.BROKER_SERVICES_DIR;
    try {
      writeFileSync(
        join(dir, 'services.json'),
        JSON.stringify({ rabbitmq: { main: { url: `amqp://127.0.0.1:${port}`, host: '127.0.0.1', port } } }),
      );
      process.env.BROKER_SERVICES_DIR = dir;
      const error = await requireRabbitMq('main', { timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`amqp://127.0.0.1:${port}`);
      expect((error as Error).message).toMatch(/Start it with: rabbitmq-server -detached .*pnpm services:up/);

      // No services.json at all: same kind of message.
      rmSync(join(dir, 'services.json'));
      const missing = await requireRabbitMq('main').catch((e: unknown) => e);
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
