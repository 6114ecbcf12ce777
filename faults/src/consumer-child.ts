/**
 * A consumer process for the consumer-restart scenarios: our EventConsumer (from
 * @broker/consumers) on the task's queue or topic, reporting every event it handles to the
 * parent before acknowledging it. The parent kills it with SIGKILL mid-stream, or stops it
 * with a "stop" message.
 */
import { EventConsumer } from '@broker/consumers';
import type { MessageSource } from '@broker/core';
import { KafkaMessageSource } from '@broker/kafka';
import { PikaMessageSource } from '@broker/pika';
import type { ConsumerTask } from './consumer-process';

const task = JSON.parse(process.env.FAULTS_CONSUMER_TASK ?? 'null') as ConsumerTask | null;
if (!task || !process.send) throw new Error('consumer-child runs only as a child of startConsumerProcess');

const source: MessageSource =
  task.broker === 'kafka'
    ? new KafkaMessageSource({
        url: task.url,
        topic: task.topic,
        groupId: task.groupId,
        fromBeginning: true,
        sessionTimeoutMs: task.sessionTimeoutMs,
      })
    : new PikaMessageSource({ host: task.url, queues: [task.queue], exchangeName: task.exchange });
const stop = new AbortController();
process.on('message', (message) => {
  if (message === 'stop') stop.abort();
});
const consumer = new EventConsumer(
  source,
  {
    concurrency: 32,
    signal: stop.signal,
    // Handled = reported to the parent; the ack follows once the report is written to the pipe.
    handler: (event) =>
      new Promise<void>((resolve, reject) =>
        process.send!({ body: event.body }, (error: Error | null) => (error ? reject(error) : resolve())),
      ),
  },
  true,
);
process.send({ ready: true });
await consumer.run();
process.exit(0);
