import { consumeReference, type ReferenceConsumeOptions } from './consume-reference';
import type { ReceivedEventCallback } from './received-event';

export interface KafkaEventsOptions extends ReferenceConsumeOptions {
  /** Default `rasa_core_events`. */
  topic?: string;
  /** `['localhost:9092']` or `'host1:9092,host2:9092'`. */
  bootstrapServers: string | readonly string[];
  /** Default `PLAINTEXT` (kafka-python's default; Rasa's producer defaults to SASL_PLAINTEXT). */
  securityProtocol?: 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL';
  saslUsername?: string;
  saslPassword?: string;
  /** `PLAIN` (default), `SCRAM-SHA-256`, `SCRAM-SHA-512`. */
  saslMechanism?: string;
  sslCafile?: string;
  sslCertfile?: string;
  sslKeyfile?: string;
  sslCheckHostname?: boolean;
  /** Consumer group; default `broker-consumers`. */
  groupId?: string;
  /** Where a new group starts: earliest (true) or latest (default, as kafka-python). */
  fromBeginning?: boolean;
}

/**
 * The Rasa documentation's Kafka consumer in TypeScript:
 *
 * ```python
 * consumer = KafkaConsumer('rasa_core_events',
 *                          bootstrap_servers=['localhost:29093'],
 *                          value_deserializer=lambda m: json.loads(m.decode('utf-8')),
 *                          security_protocol='SSL', ssl_check_hostname=False,
 *                          ssl_cafile='CARoot.pem', ssl_certfile='certificate.pem', ssl_keyfile='key.pem')
 * for message in consumer:
 *     print(message.value)
 * ```
 *
 * `callback` receives `JSON.parse(value)`. Resolves when `signal` aborts.
 */
export function consumeKafkaEvents(
  options: KafkaEventsOptions,
  callback: ReceivedEventCallback,
): Promise<void> {
  const servers =
    typeof options.bootstrapServers === 'string'
      ? options.bootstrapServers
      : options.bootstrapServers.join(',');
  const optional: Record<string, unknown> = {
    sasl_username: options.saslUsername,
    sasl_password: options.saslPassword,
    sasl_mechanism: options.saslMechanism,
    ssl_cafile: options.sslCafile,
    ssl_certfile: options.sslCertfile,
    ssl_keyfile: options.sslKeyfile,
    ssl_check_hostname: options.sslCheckHostname,
  };
  return consumeReference(
    {
      type: 'kafka',
      url: servers,
      topic: options.topic ?? 'rasa_core_events',
      security_protocol: options.securityProtocol ?? 'PLAINTEXT',
      ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    },
    {
      ...(options.groupId !== undefined ? { groupId: options.groupId } : {}),
      ...(options.fromBeginning !== undefined ? { fromBeginning: options.fromBeginning } : {}),
    },
    options,
    callback,
  );
}
