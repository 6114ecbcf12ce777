import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serialiseEvent } from '@broker/core';
import { SAMPLE_EVENTS } from '@broker/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaEventBroker, type KafkaEventBrokerOptions } from '../../src/index';
import { pythonWithKafka } from '../python-reference';
import { createTopic, deleteTopics, kafkaSingle, services, uniqueTopic } from './kafka-services';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, 'python', 'seed_consumer.py');

type Single = Awaited<ReturnType<typeof kafkaSingle>>;
let kafka: Single;
const topics: string[] = [];

beforeAll(async () => {
  kafka = await kafkaSingle();
});

afterAll(async () => {
  if (kafka) await deleteTopics([kafka.plaintext], topics);
});

interface PythonMessage {
  value: string;
  key: string | null;
  headers: Record<string, string>;
}

/** Publishes every sample event with our broker, then reads them with the Rasa documentation's kafka-python consumer. */
async function publishThenConsume(
  options: Omit<KafkaEventBrokerOptions, 'topic'>,
  consumerConfig: Record<string, unknown>,
): Promise<PythonMessage[]> {
  const topic = uniqueTopic('python');
  topics.push(topic);
  await createTopic([kafka.plaintext], topic);
  const broker = new KafkaEventBroker({
    ...options,
    topic,
    partitionBySender: true,
    rasaEnvironment: 'interop',
  });
  for (const event of SAMPLE_EVENTS) broker.publish({ sender_id: 'python-reader', ...event });
  await broker.flush(20_000);
  await broker.close();
  const { stdout } = await run(
    pythonWithKafka(),
    [SCRIPT, JSON.stringify({ topic, expected: SAMPLE_EVENTS.length, ...consumerConfig })],
    { timeout: 60_000 },
  );
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as PythonMessage);
}

function expectExactly(messages: PythonMessage[]): void {
  expect(messages).toEqual(
    SAMPLE_EVENTS.map((event) => ({
      // Python's json.dumps of the parsed value gives back our bytes: the body is what Rasa would write.
      value: serialiseEvent('python-reader', event),
      key: 'python-reader',
      headers: { RASA_ENVIRONMENT: 'interop' },
    })),
  );
}

describe("Debian's kafka-python, in the Rasa documentation's consumer style, receives exactly what we published", () => {
  it('over PLAINTEXT', async () => {
    const messages = await publishThenConsume(
      { url: kafka.plaintext },
      { bootstrap_servers: [kafka.plaintext] },
    );
    expectExactly(messages);
  });

  it("over SSL with a client certificate (the Rasa documentation's SSL variant)", async () => {
    const tls = services().tls;
    const messages = await publishThenConsume(
      {
        url: kafka.ssl,
        securityProtocol: 'SSL',
        sslCafile: tls.ca,
        sslCertfile: tls.clientCert,
        sslKeyfile: tls.clientKey,
      },
      {
        bootstrap_servers: [kafka.ssl],
        security_protocol: 'SSL',
        ssl_check_hostname: false,
        ssl_cafile: tls.ca,
        ssl_certfile: tls.clientCert,
        ssl_keyfile: tls.clientKey,
      },
    );
    expectExactly(messages);
  });

  it('over SASL_PLAINTEXT with SCRAM-SHA-512', async () => {
    const user = kafka.users.scramSha512;
    const messages = await publishThenConsume(
      {
        url: kafka.saslPlaintext,
        securityProtocol: 'SASL_PLAINTEXT',
        saslMechanism: 'SCRAM-SHA-512',
        saslUsername: user.username,
        saslPassword: user.password,
      },
      {
        bootstrap_servers: [kafka.saslPlaintext],
        security_protocol: 'SASL_PLAINTEXT',
        sasl_mechanism: 'SCRAM-SHA-512',
        sasl_plain_username: user.username,
        sasl_plain_password: user.password,
      },
    );
    expectExactly(messages);
  });
});
