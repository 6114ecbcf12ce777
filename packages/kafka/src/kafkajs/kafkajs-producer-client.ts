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

/** Regroupings of one send's records after their leaders moved under it, before giving up for this round. */
const MAX_REGROUPS = 5;

/** How a split send starts its message; kafkajs logs it as an error, the log bridge as debug. */
export const LEADERS_SPLIT = 'the records of one send have more than one partition leader';

/** Partition id → id of its leader broker (-1: none), as kafkajs last saw the topic. */
type PartitionLeaders = number[];

/**
 * One `producer.send` to one leader. Every attempt kafkajs makes of it must reach exactly one
 * broker; `first` marks where an attempt starts (kafkajs partitions the records in order, in
 * one synchronous pass per attempt).
 */
interface OneLeaderSend {
  readonly first: ProducerRecord;
  leader: number | undefined;
}

/** The records of one send turned out to have more than one leader: nothing was sent. */
class LeadersSplitError extends Error {
  override readonly name = 'LeadersSplitError';
  /** kafkajs gives up on the send at once instead of retrying it. */
  readonly retriable = false;

  constructor(first: number, other: number) {
    super(`${LEADERS_SPLIT}: ${first} and ${other}; sending them per leader`);
  }

  /** kafkajs may wrap it (KafkaJSNonRetriableError). */
  static within(error: unknown): boolean {
    for (let e = error; e instanceof Error; e = e.cause) if (e instanceof LeadersSplitError) return true;
    return false;
  }
}

/**
 * The producer on kafkajs. It chooses partitions itself, so that:
 * - keyed records land where the configured partitioner (crc32 or murmur2) puts them;
 * - a record keeps its partition when it is sent again (a keyless one too), which lets the
 *   idempotent broker recognise a retried batch by its sequence numbers;
 * - every kafkajs send reaches a single partition leader. kafkajs 2.2.4 fans one send out to
 *   every leader involved, advances each partition's sequence numbers before its request and
 *   rolls them back only for the request that failed, and rejects as soon as one request fails
 *   (`src/producer/sendMessages.js`: `Promise.all`) while the requests to the other leaders go on
 *   and keep their sequence numbers. Sending the rejected batch again would then write those
 *   partitions' records a second time under new sequence numbers, which the broker cannot
 *   recognise as copies. With one leader per send, a failure leaves no request behind: the
 *   resend reuses the sequence numbers of the failed request, and the broker drops what it
 *   already has;
 * - it can check that the broker acknowledged every partition it wrote to. kafkajs can report
 *   success for a batch while skipping a partition whose leader moved to a broker that already
 *   answered (tulios/kafkajs#1303); such records come back as `unacknowledged`.
 */
export class KafkajsProducerClient implements ProducerClient {
  private producer: Producer;
  /** False until the current producer connected (a fresh one after `reset` may not have). */
  private connected = false;
  private stickyPartition: number | undefined;
  private readonly leadersByTopic = new Map<string, PartitionLeaders>();
  /** Sends in progress; kafkajs's partitioner finds the one an attempt belongs to by its first record. */
  private readonly sending: OneLeaderSend[] = [];
  /** The send whose records kafkajs is partitioning right now. */
  private partitioning: OneLeaderSend | undefined;

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
    if (!this.connected) {
      try {
        await this.connect();
      } catch (error) {
        return { unacknowledged: [...records], error };
      }
    }
    let groups = this.groupByLeader(topic, records);
    const unacknowledged: ProducerRecord[] = [];
    let error: unknown;
    for (let regroups = 0; groups.length > 0; regroups++) {
      const outcomes = await Promise.all(groups.map((group) => this.sendToOneLeader(topic, group)));
      const split: ProducerRecord[] = [];
      outcomes.forEach((outcome, i) => {
        if (LeadersSplitError.within(outcome.error) && regroups < MAX_REGROUPS) {
          split.push(...groups[i]!);
          return;
        }
        unacknowledged.push(...outcome.unacknowledged);
        error ??= outcome.error;
      });
      // Nothing of a split send left: group its records by the leaders kafkajs has just seen.
      groups = split.length > 0 ? this.groupByLeader(topic, split) : [];
    }
    return error === undefined ? { unacknowledged } : { unacknowledged, error };
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

  /**
   * The records split by the leader of the partition each will go to, as kafkajs last saw the
   * topic; all in one group when the topic has one leader, and before the first send (kafkajs
   * loads the metadata, and a send that finds several leaders is split then).
   */
  private groupByLeader(topic: string, records: readonly ProducerRecord[]): ProducerRecord[][] {
    this.stickyPartition = undefined;
    const leaders = this.leadersByTopic.get(topic);
    if (!leaders || new Set(leaders).size === 1) return [[...records]];
    const groups = new Map<number, ProducerRecord[]>();
    for (const record of records) {
      const partition = this.partitionOf(record, leaders.length, leaders);
      // The partitioner keeps a keyless record where it was put here.
      record.partition = partition;
      const leader = leaders[partition] ?? -1;
      const group = groups.get(leader);
      if (group) group.push(record);
      else groups.set(leader, [record]);
    }
    return [...groups.values()];
  }

  /** One kafkajs send; the partitioner refuses it before any request if its records have several leaders. */
  private async sendToOneLeader(topic: string, records: ProducerRecord[]): Promise<SendOutcome> {
    const send: OneLeaderSend = { first: records[0]!, leader: undefined };
    this.sending.push(send);
    try {
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
    } catch (error) {
      return { unacknowledged: records, error };
    } finally {
      this.sending.splice(this.sending.indexOf(send), 1);
      if (this.partitioning === send) this.partitioning = undefined;
    }
  }

  /** kafkajs hands back the records given to `send` (typed as its own messages). */
  private choosePartition({ topic, partitionMetadata, message }: PartitionerArgs): number {
    const record = message as unknown as ProducerRecord;
    const attempt = this.sending.find((send) => send.first === record);
    let leaders = this.leadersByTopic.get(topic);
    if (attempt) {
      // A new attempt: it may find other leaders than the last one (kafkajs refreshed the metadata).
      attempt.leader = undefined;
      this.partitioning = attempt;
      leaders = partitionLeaders(partitionMetadata);
      this.leadersByTopic.set(topic, leaders);
    }
    const partition = this.partitionOf(record, partitionMetadata.length, leaders);
    record.partition = partition;
    const send = this.partitioning;
    if (send) {
      const leader = leaders?.[partition] ?? -1;
      send.leader ??= leader;
      if (send.leader !== leader) {
        throw new LeadersSplitError(send.leader, leader);
      }
    }
    return partition;
  }

  /** Where a record goes: its key's partition, or a keyless record's earlier partition, or the sticky one. */
  private partitionOf(record: ProducerRecord, count: number, leaders: PartitionLeaders | undefined): number {
    if (record.key !== null && record.key !== undefined) {
      return partitionForKey(this.options.partitioner, String(record.key), count);
    }
    const previous = record.partition;
    return previous !== undefined && previous < count ? previous : this.keylessPartition(count, leaders);
  }

  /** Keyless records of one send share a partition (fewer, larger batches), chosen among partitions with a leader. */
  private keylessPartition(count: number, leaders: PartitionLeaders | undefined): number {
    if (this.stickyPartition !== undefined && this.stickyPartition < count) return this.stickyPartition;
    const all = Array.from({ length: count }, (_, partition) => partition);
    const available = all.filter((partition) => (leaders?.[partition] ?? -1) >= 0);
    const pool = available.length > 0 ? available : all;
    this.stickyPartition = pool[Math.floor(Math.random() * pool.length)]!;
    return this.stickyPartition;
  }
}

function partitionLeaders(partitionMetadata: PartitionerArgs['partitionMetadata']): PartitionLeaders {
  const leaders: PartitionLeaders = [];
  for (const { partitionId, leader } of partitionMetadata) leaders[partitionId] = leader;
  return leaders;
}
