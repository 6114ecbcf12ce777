import { join } from 'node:path';
import { ConfigError, createEventBroker, type EndpointConfig, loadEndpoints, slotSet } from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaEventBroker } from '../../src/index';
import { captureLogger } from '../capture-logger';
import { deleteTopics, kafkaSingle, readTopic, services, uniqueTopic } from './kafka-services';

const FIXTURES = join(import.meta.dirname, '../../../core/test/fixtures/rasa/endpoints');

type Single = Awaited<ReturnType<typeof kafkaSingle>>;
let kafka: Single;
const topics: string[] = [];

beforeAll(async () => {
  kafka = await kafkaSingle();
});

afterAll(async () => {
  if (kafka) await deleteTopics([kafka.plaintext], topics);
});

function fixture(release: 'rasa-1.0' | 'rasa-3.x', name: string): EndpointConfig {
  const config = loadEndpoints(join(FIXTURES, release, name)).eventBroker;
  if (!config) throw new Error(`${release}/${name} has no event_broker section`);
  return config;
}

/** The fixture with only what names this machine replaced: broker address, credentials, certificate files, topic. */
function onThisMachine(
  config: EndpointConfig,
  url: string | undefined,
  kwargs: Record<string, unknown>,
): EndpointConfig {
  const topic = uniqueTopic('fixture');
  topics.push(topic);
  return { ...config, url: url ?? config.url, kwargs: { ...config.kwargs, ...kwargs, topic } };
}

/** Builds the broker from the endpoints section, publishes one event and reads it back. */
async function deliversOneEvent(config: EndpointConfig): Promise<void> {
  const broker = await KafkaEventBroker.fromEndpointConfig(config, { logger: captureLogger() });
  broker.publish({ sender_id: 'fixture', ...slotSet('loaded', true, { timestamp: 1 }) });
  await broker.flush(20_000);
  await broker.close();
  const [record] = await readTopic([kafka.plaintext], broker.topic, 1);
  expect(JSON.parse(record!.value)).toMatchObject({ sender_id: 'fixture', name: 'loaded', value: true });
}

function credentials() {
  return { sasl_username: kafka.users.plain.username, sasl_password: kafka.users.plain.password };
}

function certificateFiles() {
  const tls = services().tls;
  return { ssl_cafile: tls.ca, ssl_certfile: tls.clientCert, ssl_keyfile: tls.clientKey };
}

describe("every Rasa Kafka endpoint fixture loads and works once this machine's addresses, credentials and files are filled in", () => {
  it('rasa-1.0 kafka_plaintext_endpoint.yml (SASL_PLAINTEXT despite its name)', async () => {
    const config = fixture('rasa-1.0', 'kafka_plaintext_endpoint.yml');
    expect(config.kwargs).toMatchObject({ security_protocol: 'SASL_PLAINTEXT', sasl_username: 'username' });
    await deliversOneEvent(onThisMachine(config, kafka.saslPlaintext, credentials()));
  });

  it('rasa-1.0 kafka_ssl_endpoint.yml', async () => {
    const config = fixture('rasa-1.0', 'kafka_ssl_endpoint.yml');
    expect(config.kwargs).toMatchObject({ security_protocol: 'SSL', ssl_check_hostname: true });
    await deliversOneEvent(onThisMachine(config, kafka.ssl, certificateFiles()));
  });

  it('rasa-3.x kafka_plaintext_endpoint.yml works as written (url localhost means localhost:9092)', async () => {
    const config = fixture('rasa-3.x', 'kafka_plaintext_endpoint.yml');
    expect(config.url).toBe('localhost');
    await deliversOneEvent(onThisMachine(config, undefined, {}));
  });

  it('rasa-3.x kafka_plaintext_endpoint_no_url.yml says url is required, and works with one', async () => {
    const config = fixture('rasa-3.x', 'kafka_plaintext_endpoint_no_url.yml');
    const error = await KafkaEventBroker.fromEndpointConfig(config).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).key).toBe('event_broker.url');
    expect((error as ConfigError).file).toContain('kafka_plaintext_endpoint_no_url.yml');
    await deliversOneEvent(onThisMachine(config, kafka.plaintext, {}));
  });

  it('rasa-3.x kafka_sasl_plaintext_endpoint.yml (PLAIN, partition_by_sender)', async () => {
    const config = fixture('rasa-3.x', 'kafka_sasl_plaintext_endpoint.yml');
    expect(config.kwargs).toMatchObject({ sasl_mechanism: 'PLAIN', partition_by_sender: true });
    await deliversOneEvent(onThisMachine(config, kafka.saslPlaintext, credentials()));
  });

  it('rasa-3.x kafka_ssl_endpoint.yml', async () => {
    const config = fixture('rasa-3.x', 'kafka_ssl_endpoint.yml');
    await deliversOneEvent(onThisMachine(config, kafka.ssl, certificateFiles()));
  });

  it('rasa-3.x kafka_sasl_ssl_endpoint.yml', async () => {
    const config = fixture('rasa-3.x', 'kafka_sasl_ssl_endpoint.yml');
    await deliversOneEvent(onThisMachine(config, kafka.saslSsl, { ...credentials(), ...certificateFiles() }));
  });

  it("through core's createEventBroker, as an endpoints.yml with type: kafka is loaded", async () => {
    const config = onThisMachine(fixture('rasa-3.x', 'kafka_plaintext_endpoint.yml'), undefined, {});
    const broker = await createEventBroker(config, { importModule: async () => import('../../src/index') });
    expect(broker).toBeInstanceOf(KafkaEventBroker);
    await broker!.close();
  });
});

describe('the certificate files the SSL fixtures name must exist', () => {
  it.each([
    ['rasa-1.0', 'kafka_ssl_endpoint.yml'],
    ['rasa-3.x', 'kafka_ssl_endpoint.yml'],
    ['rasa-3.x', 'kafka_sasl_ssl_endpoint.yml'],
  ] as const)(
    '%s %s without CARoot.pem: ConfigError naming ssl_cafile and the file',
    async (release, name) => {
      const error = await KafkaEventBroker.fromEndpointConfig(fixture(release, name)).catch(
        (caught: unknown) => caught,
      );
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).key).toBe('event_broker.ssl_cafile');
      expect((error as ConfigError).message).toContain('CARoot.pem (no such file)');
    },
  );
});

describe("Rasa's invalid fixtures fail as Rasa's tests expect, with typed errors", () => {
  it('kafka_invalid_security_protocol.yml: ConfigError on security_protocol', async () => {
    const error = await KafkaEventBroker.fromEndpointConfig(
      fixture('rasa-3.x', 'kafka_invalid_security_protocol.yml'),
    ).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).key).toBe('event_broker.security_protocol');
    expect((error as ConfigError).message).toContain('"SOMETHING"');
  });

  it('kafka_invalid_sasl_mechanism.yml: ConfigError on sasl_mechanism (before its missing certificate files)', async () => {
    const error = await KafkaEventBroker.fromEndpointConfig(
      fixture('rasa-3.x', 'kafka_invalid_sasl_mechanism.yml'),
    ).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).key).toBe('event_broker.sasl_mechanism');
    expect((error as ConfigError).message).toContain('"SOMETHING"');
  });
});
