// The Rasa documentation's SSL consumer:
//   consumer = KafkaConsumer('rasa_core_events', bootstrap_servers=['localhost:29093'],
//                            value_deserializer=lambda m: json.loads(m.decode('utf-8')),
//                            security_protocol='SSL', ssl_check_hostname=False,
//                            ssl_cafile='CARoot.pem', ssl_certfile='certificate.pem', ssl_keyfile='key.pem')
//   for message in consumer:
//       print(message.value)
import { consumeKafkaEvents } from '@broker/consumers';
import { stopOnSignal } from './stop-on-signal';

await consumeKafkaEvents(
  {
    topic: process.env.KAFKA_TOPIC ?? 'rasa_core_events',
    bootstrapServers: [process.env.KAFKA_BOOTSTRAP ?? 'localhost:9094'],
    securityProtocol: 'SSL',
    sslCheckHostname: process.env.KAFKA_SSL_CHECK_HOSTNAME !== 'false',
    sslCafile: process.env.KAFKA_SSL_CAFILE ?? 'CARoot.pem',
    sslCertfile: process.env.KAFKA_SSL_CERTFILE ?? 'certificate.pem',
    sslKeyfile: process.env.KAFKA_SSL_KEYFILE ?? 'key.pem',
    groupId: process.env.KAFKA_GROUP_ID ?? 'broker-examples',
    fromBeginning: process.env.KAFKA_FROM_BEGINNING === 'true',
    signal: stopOnSignal(),
  },
  (value) => console.log(value),
);
