import {
  type BenchEvent,
  type BodyForm,
  eventMessage,
  type PublisherSide,
  probeConfirms,
} from 'broker-bench-harness';
import { KafkaEventBroker } from '../src/index';
import { RawKafkajsPublisher } from './raw-kafkajs-publisher';

/** The producer settings both sides use. */
export interface ProducerSettings {
  brokers: string[];
  topic: string;
  lingerMs: number;
  batchMaxEvents: number;
  queueSize: number;
  /** Wire text, or event objects as a tracker store publishes them (the raw side: `JSON.stringify`). */
  bodies: BodyForm;
}

const RASA_ENVIRONMENT = 'RASA_ENVIRONMENT_NOT_SET';

/** KafkaEventBroker (idempotent, acks all) as a benchmark side, confirmations seen through the confirm probe. */
export class KafkaSide implements PublisherSide {
  onConfirm: (index: number, at: number) => void = () => undefined;
  onError: (error: unknown) => void = () => undefined;
  private readonly broker: KafkaEventBroker;
  /** The caller's event index of each accepted event, in acceptance (seq) order. */
  private readonly indexBySeq: number[] = [];
  private readonly bodies: BodyForm;

  constructor(settings: ProducerSettings) {
    this.bodies = settings.bodies;
    this.broker = new KafkaEventBroker({
      url: settings.brokers,
      topic: settings.topic,
      partitionBySender: true,
      acks: 'all',
      idempotent: true,
      lingerMs: settings.lingerMs,
      batchMaxEvents: settings.batchMaxEvents,
      queueSize: settings.queueSize,
      rasaEnvironment: RASA_ENVIRONMENT,
    });
    probeConfirms(this.broker, (seqs, at) => {
      for (const seq of seqs) this.onConfirm(this.indexBySeq[seq - 1]!, at);
    });
    this.broker.on('undelivered', (_events, error) => this.onError(error));
  }

  connect(): Promise<void> {
    return this.broker.connect();
  }

  publish(index: number, event: BenchEvent): void {
    this.indexBySeq.push(index);
    this.broker.publish(this.bodies === 'objects' ? eventMessage(event) : event.body);
  }

  flush(): Promise<void> {
    return this.broker.flush(120_000);
  }

  async close(): Promise<void> {
    const report = await this.broker.close();
    if (report.undelivered.length > 0 || report.stats.failed > 0) {
      throw new Error(`KafkaEventBroker left ${report.undelivered.length} event(s) undelivered`);
    }
  }
}

/** Raw kafkajs with the same settings (see RawKafkajsPublisher). */
export class KafkajsSide implements PublisherSide {
  onConfirm: (index: number, at: number) => void = () => undefined;
  onError: (error: unknown) => void = () => undefined;
  private readonly publisher: RawKafkajsPublisher;
  private readonly bodies: BodyForm;

  constructor(settings: ProducerSettings) {
    this.bodies = settings.bodies;
    this.publisher = new RawKafkajsPublisher(
      { ...settings, rasaEnvironment: RASA_ENVIRONMENT },
      (ids, at) => {
        for (const id of ids) this.onConfirm(id, at);
      },
      (error) => this.onError(error),
    );
  }

  connect(): Promise<void> {
    return this.publisher.connect();
  }

  publish(index: number, event: BenchEvent): void {
    const body = this.bodies === 'objects' ? JSON.stringify(eventMessage(event)) : event.body;
    this.publisher.publish(index, event.senderId, body);
  }

  flush(): Promise<void> {
    return this.publisher.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.publisher.disconnect();
  }
}
