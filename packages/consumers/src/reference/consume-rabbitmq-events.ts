import { consumeReference, type ReferenceConsumeOptions } from './consume-reference';
import type { ReceivedEventCallback } from './received-event';

export interface RabbitMqEventsOptions extends ReferenceConsumeOptions {
  /** `'rabbit'` in a docker environment, `'localhost'` locally (as the Rasa documentation says), or an amqp(s):// URL. Default `localhost`. */
  host?: string;
  username?: string;
  password?: string;
  port?: number;
  /** Default `rasa_core_events`. */
  queue?: string;
  /** The exchange Rasa publishes to (declared as Rasa declares it). Default `rasa-exchange`. */
  exchangeName?: string;
}

/**
 * The Rasa documentation's pika consumer in TypeScript:
 *
 * ```python
 * credentials = pika.PlainCredentials('username', 'password')
 * connection = pika.BlockingConnection(pika.ConnectionParameters('rabbit', credentials=credentials))
 * channel = connection.channel()
 * channel.basic_consume(_callback, queue='rasa_core_events', no_ack=True)
 * channel.start_consuming()
 * ```
 *
 * `callback` receives `JSON.parse(body)`. Reconnects after broker restarts; resolves when
 * `signal` aborts.
 */
export function consumeRabbitMqEvents(
  options: RabbitMqEventsOptions,
  callback: ReceivedEventCallback,
): Promise<void> {
  const queue = options.queue ?? 'rasa_core_events';
  return consumeReference(
    {
      type: 'pika',
      url: options.host ?? 'localhost',
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      queues: [queue],
      ...(options.exchangeName !== undefined ? { exchange_name: options.exchangeName } : {}),
    },
    { queue },
    options,
    callback,
  );
}
