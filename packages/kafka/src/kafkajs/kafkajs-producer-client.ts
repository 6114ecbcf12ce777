import type { Logger } from '@broker/core';
import type { Kafka, Message, PartitionerArgs, Producer } from 'kafkajs';
import type { ProducerClient, ProducerRecord, SendOutcome } from '../client/kafka-client';
import { type PartitionerName, partitionForKey } from '../partitioning/key-partitioner';

export interface KafkajsProducerOptions {
  idempotent: boolean;
  acks: -1 | 0 | 1;
  partitioner: PartitionerName;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
}

/**
 * How often kafkajs retries one send (metadata refresh, leader change) before the failure
 * reaches our send loop, which then retries the very same records on the same producer.
 */
const SEND_RETRIES = 8;

/**
 * The producer on kafkajs. It chooses partitions itself, so that:
 * - keyed records land where the configured partitioner (crc32 or murmur2) puts them;
 * - a record keeps its partition when it is sent again (a keyless one too), which lets the
 *   idempotent broker recognise a retried batch by its sequence numbers;
 * - it can check that the broker acknowledged every partition it wrote to. kafkajs can report
 *   success for a batch while skipping a partition whose leader moved to a broker that already
 *   answered (tulios/kafkajs#1303); such records come back as `unacknowledged`.
 */
export class KafkajsProducerClient implements ProducerClient {
  private producer: Producer;
  /** False until the current producer connected (a fresh one after `reset` may not have). */
  private connected = false;
  private stickyPartition: number | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkajsProducerOptions,
    private readonly logger: Logger,
  ) {
    this.producer = this.createProducer();
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async send(topic: string, records: readonly ProducerRecord[]): Promise<SendOutcome> {
    if (!this.connected) await this.connect();
    this.stickyPartition = undefined;
    const response = await this.producer.send({
      topic,
      messages: records as unknown as Message[],
      acks: this.options.acks,
    });
    if (this.options.acks === 0) return { unacknowledged: [] };
    const acknowledged = new Set(response.filter((r) => r.topicName === topic).map((r) => r.partition));
    const unacknowledged = records.filter((record) => !acknowledged.has(record.partition ?? -1));
    if (unacknowledged.length > 0) {
      this.logger.warn(
        { topic, unacknowledged: unacknowledged.length, acknowledgedPartitions: [...acknowledged] },
        `kafkajs reported a send as done without an acknowledgement for ${unacknowledged.length} record(s); sending them again`,
      );
    }
    return { unacknowledged };
  }

  async reset(): Promise<void> {
    const old = this.producer;
    this.producer = this.createProducer();
    await old
      .disconnect()
      .catch((error) => this.logger.debug({ err: error }, 'closing the old producer failed'));
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      idempotent: this.options.idempotent,
      maxInFlightRequests: this.options.idempotent ? 1 : 5,
      allowAutoTopicCreation: true,
      retry: {
        initialRetryTime: this.options.retryBackoffMs,
        maxRetryTime: Math.min(this.options.retryBackoffMaxMs, 5000),
        retries: SEND_RETRIES,
      },
      createPartitioner: () => (args) => this.choosePartition(args),
    });
  }

  /** kafkajs hands back the records given to `send` (typed as its own messages). */
  private choosePartition({ partitionMetadata, message }: PartitionerArgs): number {
    const record = message as unknown as ProducerRecord;
    const count = partitionMetadata.length;
    let partition: number;
    if (record.key !== null && record.key !== undefined) {
      partition = partitionForKey(this.options.partitioner, String(record.key), count);
    } else {
      const previous = record.partition;
      partition =
        previous !== undefined && previous < count ? previous : this.keylessPartition(partitionMetadata);
    }
    record.partition = partition;
    return partition;
  }

  /** Keyless records of one send share a partition (fewer, larger batches), chosen among partitions with a leader. */
  private keylessPartition(partitionMetadata: PartitionerArgs['partitionMetadata']): number {
    if (this.stickyPartition !== undefined && this.stickyPartition < partitionMetadata.length) {
      return this.stickyPartition;
    }
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const pool = available.length > 0 ? available : partitionMetadata;
    this.stickyPartition = pool[Math.floor(Math.random() * pool.length)]!.partitionId;
    return this.stickyPartition;
  }
}
