import { Kafka, logLevel, type Message, Partitioners, type Producer } from 'kafkajs';

export interface RawSettings {
  brokers: string[];
  topic: string;
  lingerMs: number;
  batchMaxEvents: number;
  rasaEnvironment: string;
}

/**
 * The baseline: kafkajs used directly with the broker's settings (idempotent, acks all, one
 * request in flight, the same batch size and linger, keys and headers), batching by sending
 * arrays, as a careful user of kafkajs would write it by hand.
 */
export class RawKafkajsPublisher {
  private readonly producer: Producer;
  private pending: Message[] = [];
  private pendingIds: number[] = [];
  private firstPendingAt = 0;
  private sending: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private published = 0;
  private acked = 0;
  private idle: (() => void) | undefined;

  constructor(
    private readonly settings: RawSettings,
    private readonly onAck: (ids: readonly number[], at: number) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    const kafka = new Kafka({ clientId: 'bench-raw', brokers: settings.brokers, logLevel: logLevel.NOTHING });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  publish(id: number, senderId: string, body: string): void {
    if (this.pending.length === 0) this.firstPendingAt = performance.now();
    this.pending.push({
      key: senderId,
      value: body,
      headers: { RASA_ENVIRONMENT: this.settings.rasaEnvironment },
    });
    this.pendingIds.push(id);
    this.published++;
    this.sending ??= this.pump().catch((error: unknown) => this.onError(error));
    this.wake?.();
  }

  /** Resolves once everything published so far was acknowledged. */
  async flush(): Promise<void> {
    while (this.acked < this.published) await new Promise<void>((resolve) => (this.idle = resolve));
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  private async pump(): Promise<void> {
    while (this.pending.length > 0) {
      const waited = performance.now() - this.firstPendingAt;
      if (this.pending.length < this.settings.batchMaxEvents && waited < this.settings.lingerMs) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, this.settings.lingerMs - waited);
          this.wake = () => {
            if (this.pending.length >= this.settings.batchMaxEvents) done();
          };
        });
        continue;
      }
      const messages = this.pending.splice(0, this.settings.batchMaxEvents);
      const ids = this.pendingIds.splice(0, this.settings.batchMaxEvents);
      // What is left has already waited: it goes out right after this batch, as in the broker.
      this.firstPendingAt = 0;
      await this.producer.send({ topic: this.settings.topic, messages, acks: -1 });
      this.acked += ids.length;
      this.onAck(ids, performance.now());
      this.idle?.();
    }
    this.sending = undefined;
  }
}
