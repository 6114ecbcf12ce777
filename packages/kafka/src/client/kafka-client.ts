/**
 * The Kafka client as this package uses it. Only `src/kafkajs/` knows the library behind it
 * (kafkajs today), so the library can be swapped without touching the broker or the source.
 */
import type { BrokerError } from '@broker/core';

/** One record to produce; the same object is passed again when a send is retried. */
export interface ProducerRecord {
  readonly key: string | null;
  readonly value: string | Buffer;
  readonly headers: Readonly<Record<string, string | Buffer>>;
  /** Set by the client to the partition it chose on the last send; a resend of a keyless record stays there. */
  partition?: number | undefined;
}

export interface SendOutcome {
  /**
   * Records to send again: those of a request that failed, and those the client reported
   * success for without the broker acknowledging their partition. The others were written.
   */
  unacknowledged: ProducerRecord[];
  /** Why a request failed, when one did (classify it to decide how to go on). */
  error?: unknown;
}

export interface ProducerClient {
  connect(): Promise<void>;
  /**
   * Produces the records to `topic` and resolves once the broker acknowledged them (per the
   * configured acks) or a request failed; never rejects. Records of one partition keep their
   * order. Sending the unacknowledged record objects again reuses their partitions, so an
   * idempotent producer's broker recognises what it already wrote; acknowledged ones must not
   * be sent again.
   */
  send(topic: string, records: readonly ProducerRecord[]): Promise<SendOutcome>;
  /** Starts over with a new producer identity, after the broker lost track of the old one. */
  reset(): Promise<void>;
  disconnect(): Promise<void>;
}

/** What a failure means for the caller. */
export type FailureKind =
  /** Worth retrying later: connection loss, timeouts, leader changes, missing replicas. */
  | 'retry'
  /** Retrying cannot help: credentials, permissions, TLS, configuration. */
  | 'fatal'
  /** The producer identity is out of step with the broker: reset the producer, then retry. */
  | 'reset'
  /** The broker refused these messages (too large, corrupt): the rest of the stream can go on. */
  | 'message';

export interface ClassifiedFailure {
  kind: FailureKind;
  error: BrokerError;
}

/** A message as the consumer client delivers it. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  /** Kafka offset, as a decimal string (offsets are 64-bit). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker timestamp, ms since the epoch, as a decimal string. */
  timestamp: string;
}

/** One fetched batch of one partition, delivered in offset order. */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
  /** False once the consumer stops or the group rebalanced: deliver no more of this batch. */
  isActive(): boolean;
  /** Keeps the group membership alive while the batch waits (for in-flight capacity). */
  heartbeat(): Promise<void>;
  /** The next fetch of this partition continues after `offset` (nothing is committed). */
  markFetched(offset: string): void;
}

export interface ConsumerHandlers {
  onBatch(batch: ConsumedBatch): Promise<void>;
  /** The group (re)assigned partitions to this member. */
  onAssigned(assignment: Readonly<Record<string, readonly number[]>>): void;
  /** The consumer stopped on an error; it does not restart by itself. */
  onCrash(error: unknown): void;
}

export interface CommitOffset {
  topic: string;
  partition: number;
  /** The next offset to read, as a decimal string. */
  offset: string;
}

export interface ConsumerClient {
  /** Connects, subscribes, joins the group and starts fetching; rejects when any of that fails. */
  start(handlers: ConsumerHandlers): Promise<void>;
  /** Stops fetching new batches; the group membership (and committing) stays. */
  pause(): void;
  commit(offsets: readonly CommitOffset[]): Promise<void>;
  /** Leaves the group and disconnects; idempotent. */
  stop(): Promise<void>;
}

/** How far a consumer group is behind on one partition. */
export interface PartitionLag {
  partition: number;
  /** Records after the group's committed offset, up to the high watermark. */
  lag: number;
}

export interface AdminClient {
  /**
   * The group's lag on every partition of `topic`: high watermark minus committed offset. A
   * partition the group has committed nothing on counts from the low watermark when the group
   * starts from the beginning, else as 0 (it starts at the end).
   */
  groupLag(topic: string, groupId: string, fromBeginning: boolean): Promise<PartitionLag[]>;
  disconnect(): Promise<void>;
}
