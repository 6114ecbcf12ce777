import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { botUttered, serialiseEvent, userUttered } from '@broker/core';
import { SAMPLE_EVENTS } from '@broker/core/testing';
import { loadServices, type MainRabbitMq, requireRabbitMq } from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PikaEventBroker } from '../../src/index';
import { AmqpReader, uniqueName } from './helpers/amqp-reader';

const run = promisify(execFile);
const CONSUMER = fileURLToPath(new URL('./python/pika_consumer.py', import.meta.url));

let main: MainRabbitMq;
let python: string;
let reader: AmqpReader;
const queue = uniqueName('python');
const exchange = uniqueName('python-exchange');

interface PythonDelivery {
  event: Record<string, unknown>;
  equals_expected: boolean;
  python_dumps_is_body: boolean;
  delivery_mode: number;
  app_id: string | null;
  content_type: string | null;
  message_id: string | null;
  headers: Record<string, unknown> | null;
}

function pika(...args: string[]) {
  return run(python, [CONSUMER, ...args], {
    env: { ...process.env, RABBITMQ_PASSWORD: main.password },
    timeout: 60_000,
  });
}

beforeAll(async () => {
  main = await requireRabbitMq('main');
  const services = loadServices();
  if (!services.python.executable)
    throw new Error(`Python interop needs python3-pika: ${services.python.note}`);
  python = services.python.executable;
  reader = await AmqpReader.open(main.url);
});

afterAll(async () => {
  await reader?.remove([queue], [exchange]);
  await reader?.close();
});

describe("Python pika consumers (Debian's python3-pika) read what we publish", () => {
  it('receives exactly the dicts we published, bytes identical to json.dumps, properties as from Rasa', async () => {
    // A Rasa server declared the topology first, with aio-pika's flags: ours must fit in.
    await pika('declare', main.host, String(main.port), main.username, '-', exchange, queue);
    const broker = new PikaEventBroker({
      host: main.url,
      queues: [queue],
      exchangeName: exchange,
      appId: 'staging',
    });
    await broker.connect();
    const events = [
      ...SAMPLE_EVENTS,
      userUttered('Grüße aus Köln 👋 — ça va?', { timestamp: 1716801234.000001, inputChannel: 'rest' }),
      botUttered('1e-05 and 1.0 and 10000000000000000.0', { timestamp: 1e9 }),
    ];
    const bodies = events.map((event, i) => serialiseEvent(`python-${i % 3}`, event));
    for (const body of bodies) broker.publish(body);
    await broker.flush(20_000);
    await broker.close();

    const expectedFile = join(mkdtempSync(join(tmpdir(), 'pika-python-')), 'expected.jsonl');
    writeFileSync(expectedFile, `${bodies.join('\n')}\n`);
    const { stdout } = await pika(
      'consume',
      main.host,
      String(main.port),
      main.username,
      '-',
      queue,
      String(bodies.length),
      '30',
      expectedFile,
    );
    const received = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PythonDelivery);

    expect(received).toHaveLength(bodies.length);
    expect(received.map((r) => r.event)).toEqual(bodies.map((body) => JSON.parse(body)));
    for (const [index, delivery] of received.entries()) {
      expect(delivery.equals_expected, `event ${index}: json.loads differs from what was published`).toBe(
        true,
      );
      expect(delivery.python_dumps_is_body, `event ${index}: json.dumps does not give back the body`).toBe(
        true,
      );
      expect(delivery).toMatchObject({
        delivery_mode: 2,
        app_id: 'staging',
        content_type: null,
        message_id: null,
      });
      expect(delivery.headers ?? {}).toEqual({});
    }
  });
});
