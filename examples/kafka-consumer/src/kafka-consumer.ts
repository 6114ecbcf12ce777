// The Kafka consumer of the Rasa documentation, without security (PLAINTEXT):
//   consumer = KafkaConsumer('rasa_core_events', bootstrap_servers=['localhost:9092'],
//                            value_deserializer=lambda m: json.loads(m.decode('utf-8')))
//   for message in consumer:
//       print(message.value)
import { consumeKafkaEvents } from '@broker/consumers';
import { stopOnSignal } from './stop-on-signal';

await consumeKafkaEvents(
  {
    topic: process.env.KAFKA_TOPIC ?? 'rasa_core_events',
    bootstrapServers: [process.env.KAFKA_BOOTSTRAP ?? 'localhost:9092'],
    securityProtocol: 'PLAINTEXT',
    groupId: process.env.KAFKA_GROUP_ID ?? 'broker-examples',
    fromBeginning: process.env.KAFKA_FROM_BEGINNING === 'true',
    signal: stopOnSignal(),
  },
  (value) => console.log(value),
);
