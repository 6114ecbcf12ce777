import type { Logger } from '@broker/core';
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import type { CommitOffset, ConsumedRecord, ConsumerClient, ConsumerHandlers } from '../client/kafka-client';
import type { StoppingSpinBreaker } from './stopping-spin-breaker';

export interface KafkajsConsumerOptions {
  topic: string;
  groupId: string;
  fromBeginning: boolean;
  /** Partitions handled at the same time. */
  concurrency: number;
  sessionTimeoutMs: number;
}

/**
 * One run of a kafkajs consumer group member. Offsets are only committed through `commit`
 * (autoCommit off), and kafkajs never restarts it by itself after a crash: the source owns the
 * restart policy, with its own backoff.
 */
export class KafkajsConsumerClient implements ConsumerClient {
  private readonly consumer: Consumer;
  private stopping: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: KafkajsConsumerOptions,
    private readonly logger: Logger,
    private readonly spinBreaker: StoppingSpinBreaker,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 10)),
      maxWaitTimeInMs: 1000,
      allowAutoTopicCreation: true,
      retry: { restartOnFailure: async () => false },
    });
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    const { consumer, options } = this;
    consumer.on(consumer.events.GROUP_JOIN, (event) => handlers.onAssigned(event.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (event) => handlers.onCrash(event.payload.error));
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        await handlers.onBatch({
          topic: batch.topic,
          partition: batch.partition,
          records: batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
            headers: headersAsStrings(m.headers),
            timestamp: m.timestamp,
          })) satisfies ConsumedRecord[],
          isActive: () => isRunning() && !isStale(),
          heartbeat,
          markFetched: (offset) => resolveOffset(offset),
        });
      },
    });
  }

  pause(): void {
    try {
      this.consumer.pause([{ topic: this.options.topic }]);
    } catch (error) {
      this.logger.debug({ err: error }, 'pausing the consumer failed (it was not running)');
    }
  }

  async commit(offsets: readonly CommitOffset[]): Promise<void> {
    await this.consumer.commitOffsets(offsets.map((o) => ({ ...o })));
  }

  stop(): Promise<void> {
    if (!this.stopping) {
      this.spinBreaker.arm();
      this.stopping = this.consumer.disconnect();
    }
    return this.stopping;
  }
}

/** Kafka header values are bytes (or lists of them); consumers get the UTF-8 text, the last value of a repeated header. */
function headersAsStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) out[name] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
  return out;
}
