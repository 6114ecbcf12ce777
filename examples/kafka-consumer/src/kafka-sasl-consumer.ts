// The Rasa documentation's SASL_PLAINTEXT variant: the same consumer, authenticated with the
// username and password configured on the brokers (sasl_plain_username / sasl_plain_password).
import { consumeKafkaEvents } from '@broker/consumers';
import { stopOnSignal } from './stop-on-signal';

await consumeKafkaEvents(
  {
    topic: process.env.KAFKA_TOPIC ?? 'rasa_core_events',
    bootstrapServers: [process.env.KAFKA_BOOTSTRAP ?? 'localhost:9093'],
    securityProtocol: 'SASL_PLAINTEXT',
    saslMechanism: process.env.KAFKA_SASL_MECHANISM ?? 'PLAIN',
    saslUsername: process.env.KAFKA_USERNAME ?? 'broker',
    saslPassword: process.env.KAFKA_PASSWORD ?? 'broker-secret',
    groupId: process.env.KAFKA_GROUP_ID ?? 'broker-examples',
    fromBeginning: process.env.KAFKA_FROM_BEGINNING === 'true',
    signal: stopOnSignal(),
  },
  (value) => console.log(value),
);
