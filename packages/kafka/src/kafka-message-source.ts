import {
  asEndpointConfig,
  BrokerClosedError,
  BrokerError,
  ConnectionError,
  type ConsumeOptions,
  type EndpointConfig,
  type Logger,
  type MessageSource,
  noopLogger,
  PublishError,
  retryDelay,
  SettingsReader,
  type Settlement,
  type SourceBacklog,
  type SourceMessage,
} from '@broker/core';
import type {
  AdminClient,
  ConsumedBatch,
  ConsumedRecord,
  ConsumerClient,
  ProducerClient,
  ProducerRecord,
} from './client/kafka-client';
import { OffsetCommitter } from './consumer/offset-committer';
import { PartitionOffsets } from './consumer/partition-offsets';
import { keyNamesAsGiven } from './kafkajs/classify-kafkajs-error';
import {
  classifyClientError,
  createAdminClient,
  createConsumerClient,
  createProducerClient,
  type FailureContext,
} from './kafkajs/index';
import type { KafkaConnectionOptions, OAuthBearerProvider } from './settings/connection-options';
import { KAFKA_SETTINGS, KAFKA_SOURCE_OPTIONS } from './settings/kafka-settings';
import { type ConnectionSettings, readConnectionSettings } from './settings/read-connection-settings';
import { readTopic } from './settings/read-producer-settings';

export interface KafkaMessageSourceOptions extends KafkaConnectionOptions {
  /** Topic to consume. Default `rasa_core_events`. */
  topic?: string;
  /** Consumer group; members of one group share the partitions. Default `broker-consumers`. */
  groupId?: string;
  /** Where a new group starts: the earliest message (true) or only new ones (false, default). */
  fromBeginning?: boolean;
  /** Topic that receives dead letters. Default `<topic>.dead-letter`. */
  deadLetterTopic?: string;
  /** The group drops a member silent for this long, in ms. Default 30000. */
  sessionTimeoutMs?: number;
  /** How long consume() waits for in-flight messages to be settled after the signal aborts, in ms. Default 10000. */
  drainTimeoutMs?: number;
  /**
   * Handled offsets are committed at most this often, in ms (a crash redelivers up to this much;
   * stopping commits at once). 0 commits after every settlement, which holds fetches back. Default 1000.
   */
  commitIntervalMs?: number;
}

/** What `fromEndpointConfig` takes besides the endpoints section (the MessageSourceOptions of @broker/core). */
export interface KafkaSourceDeps {
  logger?: Logger;
  groupId?: string;
  fromBeginning?: boolean;
  /** Dead-letter topic; default `<topic>.dead-letter`. */
  deadLetter?: string;
  oauthBearerProvider?: OAuthBearerProvider;
}

interface SourceSettings {
  connection: ConnectionSettings;
  topic: string;
  groupId: string;
  fromBeginning: boolean;
  deadLetterTopic: string;
  sessionTimeoutMs: number;
  drainTimeoutMs: number;
  commitIntervalMs: number;
  /** How failure messages name a setting: as the user wrote it (endpoints.yml key, option or alias). */
  keyName: FailureContext['keyName'];
}

export const DEFAULT_GROUP_ID = KAFKA_SETTINGS.groupId.default;
/** Failed commits in a row after which the consumer rejoins the group (about 1.5 s of retries). */
const COMMIT_FAILURES_BEFORE_RESTART = 3;
/** How long stopping waits for the last commit (kafkajs retries one for long while the coordinator is away). */
const COMMIT_FLUSH_TIMEOUT_MS = 5000;
/** Lets tests put another consumer client behind the source (not exported from the package). */
export const CONSUMER_CLIENT_FACTORY = Symbol('consumer client factory');

/** One consume() run: the client of the current group membership and its bookkeeping. */
interface Run {
  client: ConsumerClient | undefined;
  committer: OffsetCommitter | undefined;
  /** Bumped on every (re)join and restart; settlements of older deliveries commit nothing. */
  epoch: number;
  partitions: Map<number, PartitionOffsets>;
  inFlight: number;
  capacityWaiters: Set<() => void>;
  stopping: boolean;
  /** Aborted by close(), next to the caller's signal. */
  stop: AbortController;
  finished: Promise<void> | undefined;
}

/**
 * Consumes a Kafka topic as a member of a consumer group, for `@broker/consumers`. Messages of
 * each partition are delivered in order, at most `maxInFlight` unsettled at a time; a
 * partition's offset is committed up to the last message before which everything was settled,
 * so a restart redelivers exactly what was not handled. Dead letters are produced (and
 * acknowledged) to the dead-letter topic before their offset counts as handled.
 */
export class KafkaMessageSource implements MessageSource {
  readonly name = 'kafka';
  readonly description: string;
  private readonly settings: SourceSettings;
  private readonly logger: Logger;
  private readonly failureContext: FailureContext;
  /** Highest offset delivered per partition in this process: a lower or equal one is a redelivery. */
  private readonly delivered = new Map<number, bigint>();
  private deadLetters: ProducerClient | undefined;
  private deadLettersReady: Promise<void> | undefined;
  private current: Run | undefined;
  private closed = false;
  private admin: AdminClient | undefined;
  private readonly createClient: typeof createConsumerClient;

  constructor(options: KafkaMessageSourceOptions);
  /** @hidden `fromEndpointConfig` hands over the settings it read from the section (not public API). */
  constructor(options: KafkaMessageSourceOptions, settings: SourceSettings);
  constructor(options: KafkaMessageSourceOptions, settings?: SourceSettings) {
    this.createClient =
      (options as { [CONSUMER_CLIENT_FACTORY]?: typeof createConsumerClient })[CONSUMER_CLIENT_FACTORY] ??
      createConsumerClient;
    this.logger = options.logger ?? noopLogger;
    this.settings = settings ?? readSourceOptions(options, this.logger);
    const { topic, groupId, keyName } = this.settings;
    this.description = `${topic} (group ${groupId})`;
    this.failureContext = {
      connection: this.settings.connection,
      topic,
      groupId,
      keyName,
    };
  }

  /**
   * The source for an endpoints.yml `event_broker` section with `type: kafka`: it reads the topic
   * that section's broker publishes to, with the same connection and security settings. The
   * section is an EndpointConfig or as written (`{ url, topic, ... }`).
   */
  static fromEndpointConfig(
    section: EndpointConfig | Record<string, unknown>,
    deps: KafkaSourceDeps = {},
  ): KafkaMessageSource {
    const config = asEndpointConfig(section);
    const settings = SettingsReader.ofSection(KAFKA_SETTINGS, config, deps.logger);
    const topic = readTopic(settings);
    const connection = readConnectionSettings(settings, deps.oauthBearerProvider);
    const defaults = KAFKA_SOURCE_OPTIONS;
    return new KafkaMessageSource(deps.logger ? { logger: deps.logger } : {}, {
      connection,
      topic,
      groupId: deps.groupId ?? settings.get('groupId'),
      fromBeginning: deps.fromBeginning ?? defaults.fromBeginning.default,
      deadLetterTopic: deps.deadLetter ?? `${topic}.dead-letter`,
      sessionTimeoutMs: defaults.sessionTimeoutMs.default,
      drainTimeoutMs: defaults.drainTimeoutMs.default,
      commitIntervalMs: defaults.commitIntervalMs.default,
      keyName: keyNamesAsGiven({ ...config.kwargs, url: config.url }, 'yaml', config.section),
    });
  }

  /** Where dead letters go. */
  get deadLetterTopic(): string {
    return this.settings.deadLetterTopic;
  }

  async consume(onMessage: (message: SourceMessage) => void, options: ConsumeOptions): Promise<void> {
    if (this.closed) throw new BrokerClosedError('This KafkaMessageSource is closed; create a new one.');
    if (this.current) {
      throw new BrokerError(
        'BROKER_CONSUMER',
        'KafkaMessageSource.consume() is already running; one consume per source.',
      );
    }
    const run: Run = {
      client: undefined,
      committer: undefined,
      epoch: 0,
      partitions: new Map(),
      inFlight: 0,
      capacityWaiters: new Set(),
      stopping: false,
      stop: new AbortController(),
      finished: undefined,
    };
    this.current = run;
    const signal = AbortSignal.any([options.signal, run.stop.signal]);
    run.finished = this.runUntilAborted(run, onMessage, { ...options, signal });
    try {
      await run.finished;
    } finally {
      this.current = undefined;
    }
  }

  /** The group's lag on each partition of the topic, through an admin client of its own. */
  async backlog(): Promise<SourceBacklog[]> {
    if (this.closed) throw new BrokerClosedError('This KafkaMessageSource is closed; create a new one.');
    this.admin ??= createAdminClient(this.settings.connection, this.logger);
    const { topic, groupId, fromBeginning } = this.settings;
    const lags = await this.admin.groupLag(topic, groupId, fromBeginning);
    return lags.map(({ partition, lag }) => ({ destination: topic, partition, messages: lag }));
  }

  /** Stops a running consume() (without waiting for in-flight messages: they are delivered again) and disconnects. */
  async close(): Promise<void> {
    this.closed = true;
    const run = this.current;
    if (run) {
      run.stop.abort();
      // A stop already under way may be waiting for in-flight settlements: close() does not.
      this.releaseCapacity(run);
      await run.finished?.catch(() => undefined);
    }
    await this.deadLetters?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async runUntilAborted(
    run: Run,
    onMessage: (message: SourceMessage) => void,
    options: ConsumeOptions,
  ): Promise<void> {
    const { signal } = options;
    let attempt = 0;
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    signal.addEventListener('abort', () => this.releaseCapacity(run), { once: true });
    while (!signal.aborted && !this.closed) {
      run.epoch++;
      run.partitions.clear();
      const client = this.createClient(
        this.settings.connection,
        {
          topic: this.settings.topic,
          groupId: this.settings.groupId,
          fromBeginning: this.settings.fromBeginning,
          concurrency: Math.max(1, Math.min(options.maxInFlight, 16)),
          sessionTimeoutMs: this.settings.sessionTimeoutMs,
        },
        this.logger,
      );
      run.client = client;
      // Bound to this client: a late report from an earlier one must not end the new run.
      let reportCrash: (error: unknown) => void = () => undefined;
      const crashed = new Promise<unknown>((resolve) => {
        reportCrash = resolve;
      });
      let commitFailures = 0;
      run.committer = new OffsetCommitter(
        async (offsets) => {
          try {
            await client.commit(offsets);
            commitFailures = 0;
          } catch (error) {
            // kafkajs keeps committing to the group coordinator it found when it joined; after
            // a failover it never looks again. A fresh member finds the new coordinator, and
            // what was not committed is delivered again (duplicates are recognised).
            if (++commitFailures === COMMIT_FAILURES_BEFORE_RESTART) {
              reportCrash(
                new ConnectionError(
                  `Committing offsets of ${this.settings.topic} failed ${commitFailures} times in a row (${(error as Error).message}); rejoining the group`,
                  { cause: error },
                ),
              );
            }
            throw error;
          }
        },
        this.logger,
        this.settings.commitIntervalMs,
      );
      let failure: unknown;
      try {
        await client.start({
          onBatch: (batch) => this.deliverBatch(run, batch, onMessage, options),
          onAssigned: (assignment) => {
            attempt = 0;
            run.epoch++;
            run.partitions.clear();
            run.committer?.clear();
            this.logger.info(
              { assignment, groupId: this.settings.groupId },
              `kafka consumer joined group ${this.settings.groupId}`,
            );
            options.onConsuming?.();
          },
          onCrash: (error) => reportCrash(error),
        });
        const outcome = await Promise.race([aborted.then(() => 'aborted' as const), crashed]);
        if (outcome === 'aborted' || this.closed) {
          await this.drain(run, client);
          return;
        }
        failure = outcome;
      } catch (error) {
        failure = error;
      }
      // A batch waiting for capacity returns now instead of after its wait: kafkajs's stop waits
      // for the batches in hand.
      run.epoch++;
      this.releaseCapacity(run);
      await client.stop().catch(() => undefined);
      if (signal.aborted || this.closed) return;
      const classified = classifyClientError(failure, this.failureContext);
      options.onConnectionLost?.(classified.error);
      if (classified.kind === 'fatal') {
        this.logger.error({ err: classified.error }, `kafka consumer stopped: ${classified.error.message}`);
        throw classified.error;
      }
      const delayMs = retryDelay(attempt++, {
        initialMs: this.settings.connection.retryBackoffMs * 5,
        maxMs: this.settings.connection.retryBackoffMaxMs,
      });
      this.logger.error(
        { err: classified.error, attempt, retryInMs: delayMs },
        `kafka consumer of ${this.settings.topic} stopped (${classified.error.message}); restarting in ${delayMs} ms`,
      );
      await Promise.race([aborted, new Promise((resolve) => setTimeout(resolve, delayMs))]);
    }
  }

  /** After the signal aborted: no new deliveries, wait (bounded) for in-flight settlements, commit, leave the group. */
  private async drain(run: Run, client: ConsumerClient): Promise<void> {
    run.stopping = true;
    client.pause();
    this.releaseCapacity(run);
    const deadline = Date.now() + this.settings.drainTimeoutMs;
    while (run.inFlight > 0 && Date.now() < deadline && !this.closed) {
      await this.waitForCapacity(run, Math.max(1, deadline - Date.now()));
    }
    if (run.inFlight > 0) {
      this.logger.warn(
        { unsettled: run.inFlight },
        `kafka consumer stopped with ${run.inFlight} unsettled message(s); they will be delivered again`,
      );
    }
    await run.committer?.flush(COMMIT_FLUSH_TIMEOUT_MS);
    await client
      .stop()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'leaving the consumer group failed'));
  }

  private async deliverBatch(
    run: Run,
    batch: ConsumedBatch,
    onMessage: (message: SourceMessage) => void,
    options: ConsumeOptions,
  ): Promise<void> {
    const epoch = run.epoch;
    let offsets = run.partitions.get(batch.partition);
    if (!offsets) {
      offsets = new PartitionOffsets();
      run.partitions.set(batch.partition, offsets);
    }
    const stillWanted = () =>
      !run.stopping && !options.signal.aborted && run.epoch === epoch && batch.isActive();
    if (!stillWanted()) return;
    let lastDelivered: string | undefined;
    try {
      for (const record of batch.records) {
        if (run.inFlight >= options.maxInFlight) {
          while (run.inFlight >= options.maxInFlight && stillWanted()) {
            await this.waitForCapacity(run, 1000);
            await batch.heartbeat().catch(() => undefined);
          }
          // Only an await lets the run stop or the group rebalance, so that is where to look.
          if (!stillWanted()) return;
        }
        const offset = BigInt(record.offset);
        offsets.deliver(offset);
        run.inFlight++;
        lastDelivered = record.offset;
        const message = this.toSourceMessage(run, epoch, offsets, record, offset);
        try {
          onMessage(message);
        } catch (error) {
          this.logger.error(
            { err: error, position: message.position },
            'the onMessage callback threw; the message stays unsettled',
          );
        }
      }
    } finally {
      // Once per batch: the next fetch of the partition continues after what was delivered.
      if (lastDelivered !== undefined) batch.markFetched(lastDelivered);
    }
  }

  private toSourceMessage(
    run: Run,
    epoch: number,
    offsets: PartitionOffsets,
    record: ConsumedRecord,
    offset: bigint,
  ): SourceMessage {
    const highest = this.delivered.get(record.partition);
    const redelivered = highest !== undefined && offset <= highest;
    if (!redelivered) this.delivered.set(record.partition, offset);
    const position = `${record.topic}[${record.partition}]@${record.offset}`;
    let settled = false;
    let settling: Promise<void> | undefined;
    const finish = () => {
      settled = true;
      run.inFlight--;
      this.releaseCapacity(run);
      if (run.epoch !== epoch) return; // a rebalance or restart happened: the new owner redelivers it
      const next = offsets.settle(offset);
      if (next !== undefined) {
        run.committer?.add({ topic: record.topic, partition: record.partition, offset: next.toString() });
      }
    };
    return {
      body: record.value ?? Buffer.alloc(0),
      headers: record.headers,
      key: record.key === null ? undefined : record.key.toString('utf8'),
      redelivered,
      // The log position names a record for good; its timestamp tells a recreated topic's record at the same offset apart.
      messageId: `kafka:${position}/${record.timestamp}`,
      position,
      meta: {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        timestamp: record.timestamp,
        groupId: this.settings.groupId,
      },
      settle: (settlement: Settlement): Promise<void> => {
        if (settled) return Promise.resolve();
        if (settlement.outcome === 'ack') {
          finish();
          return Promise.resolve();
        }
        settling ??= this.deadLetter(record, settlement.reason).then(finish, (error: unknown) => {
          settling = undefined;
          throw error;
        });
        return settling;
      },
    };
  }

  /** Produces a copy of the message to the dead-letter topic and waits for the acknowledgement. */
  private async deadLetter(record: ConsumedRecord, reason: string): Promise<void> {
    const producer = this.deadLetterProducer();
    const copy: ProducerRecord = {
      key: record.key === null ? null : record.key.toString('utf8'),
      value: record.value ?? Buffer.alloc(0),
      headers: {
        ...record.headers,
        'x-death-reason': reason,
        'x-original-topic': record.topic,
        'x-original-partition': String(record.partition),
        'x-original-offset': record.offset,
      },
    };
    const topic = this.settings.deadLetterTopic;
    const context = { ...this.failureContext, topic };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deadLettersReady;
        let pending: readonly ProducerRecord[] = [copy];
        while (pending.length > 0) {
          const { unacknowledged, error } = await producer.send(topic, pending);
          if (error !== undefined) throw error;
          pending = unacknowledged;
        }
        return;
      } catch (error) {
        const failure = classifyClientError(error, context);
        if (failure.kind === 'fatal' || attempt >= 4 || this.closed) {
          this.deadLettersReady = undefined;
          throw new PublishError(
            `Could not write the dead letter of ${record.topic}[${record.partition}]@${record.offset} to ${topic}: ${failure.error.message}`,
            { cause: failure.error, canRetry: failure.kind !== 'fatal' },
          );
        }
        this.deadLettersReady = producer.connect();
        this.deadLettersReady.catch(() => undefined);
        await new Promise((resolve) =>
          setTimeout(
            resolve,
            retryDelay(attempt, { initialMs: 200, maxMs: this.settings.connection.retryBackoffMaxMs }),
          ),
        );
      }
    }
  }

  private deadLetterProducer(): ProducerClient {
    if (!this.deadLetters) {
      this.deadLetters = createProducerClient(
        this.settings.connection,
        { idempotent: true, acks: -1, partitioner: 'crc32' },
        this.logger,
      );
    }
    if (!this.deadLettersReady) {
      this.deadLettersReady = this.deadLetters.connect();
      this.deadLettersReady.catch(() => undefined);
    }
    return this.deadLetters;
  }

  private waitForCapacity(run: Run, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        run.capacityWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      run.capacityWaiters.add(done);
    });
  }

  private releaseCapacity(run: Run): void {
    for (const waiter of [...run.capacityWaiters]) waiter();
  }
}

function readSourceOptions(options: KafkaMessageSourceOptions, logger: Logger): SourceSettings {
  const settings = SettingsReader.ofOptions(
    KAFKA_SOURCE_OPTIONS,
    options,
    'KafkaMessageSource options',
    logger,
  );
  settings.accept(['logger', 'oauthBearerProvider']);
  const topic = readTopic(settings);
  const result: SourceSettings = {
    connection: readConnectionSettings(settings, options.oauthBearerProvider),
    topic,
    groupId: settings.get('groupId'),
    fromBeginning: settings.get('fromBeginning'),
    deadLetterTopic: settings.get('deadLetterTopic') ?? `${topic}.dead-letter`,
    sessionTimeoutMs: settings.get('sessionTimeoutMs'),
    drainTimeoutMs: settings.get('drainTimeoutMs'),
    commitIntervalMs: settings.get('commitIntervalMs'),
    keyName: keyNamesAsGiven(options as Record<string, unknown>, 'code'),
  };
  settings.warnUnknown('KafkaMessageSource');
  return result;
}
