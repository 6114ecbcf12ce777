// The pika consumer of the Rasa documentation ("Implementing a Pika Event Consumer"), line for
// line in intent: connect with credentials, consume the queue Rasa publishes to with automatic
// acknowledgements, and print every event.
import { consumeRabbitMqEvents } from '@broker/consumers';

function callback(event: unknown): void {
  // Do something useful with your incoming message body here, e.g. saving it to a database
  console.log(`Received event ${JSON.stringify(event)}`);
}

// Stop on Ctrl-C (start_consuming() runs until interrupted). `on`, not `once`: run through
// `npm start`, the program gets Ctrl-C twice (from the terminal and passed on by npm), and the
// second one must not kill it while it closes the connection.
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());

// RabbitMQ credentials with username and password; the RabbitMQ host is typically 'rabbit' in
// a docker environment, or 'localhost' in a local environment.
await consumeRabbitMqEvents(
  {
    host: process.env.RABBITMQ_HOST ?? 'localhost',
    username: process.env.RABBITMQ_USERNAME ?? 'guest',
    password: process.env.RABBITMQ_PASSWORD ?? 'guest',
    queue: process.env.RABBITMQ_QUEUE ?? 'rasa_core_events',
    exchangeName: process.env.RABBITMQ_EXCHANGE ?? 'rasa-exchange',
    autoAck: true,
    signal: controller.signal,
  },
  callback,
);
