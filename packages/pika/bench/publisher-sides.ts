import { type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import {
  type BenchEvent,
  type BodyForm,
  eventMessage,
  type PublisherSide,
  probeConfirms,
} from 'broker-bench-harness';
import { PikaEventBroker } from '../src/index';
import type { BenchTopology } from './bench-topology';
import { RawConfirmPublisher } from './raw-confirm-publisher';

/** PikaEventBroker as a benchmark side: confirmations observed per event through the confirm probe. */
export class PikaSide implements PublisherSide {
  onConfirm: (index: number, at: number) => void = () => undefined;
  onError: (error: unknown) => void = () => undefined;
  private readonly broker: PikaEventBroker;
  /** The caller's event index of each accepted event, in acceptance (seq) order. */
  private readonly indexBySeq: number[] = [];

  constructor(
    url: string,
    topology: BenchTopology,
    window: number,
    bufferMaxEvents: number,
    private readonly bodies: BodyForm,
  ) {
    this.broker = new PikaEventBroker({
      host: url,
      queues: [topology.queue],
      exchangeName: topology.exchange,
      confirmWindow: window,
      bufferMaxEvents,
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
      throw new Error(`PikaEventBroker left ${report.undelivered.length} event(s) undelivered`);
    }
  }
}

/** Raw amqplib on a confirm channel with the broker's semantics (see RawConfirmPublisher). */
export class AmqplibSide implements PublisherSide {
  onConfirm: (index: number, at: number) => void = () => undefined;
  onError: (error: unknown) => void = () => undefined;
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private publisher: RawConfirmPublisher | undefined;

  constructor(
    private readonly url: string,
    private readonly topology: BenchTopology,
    private readonly window: number,
    private readonly bodies: BodyForm,
  ) {}

  async connect(): Promise<void> {
    this.connection = await connect(this.url);
    this.connection.on('error', (error: unknown) => this.onError(error));
    this.channel = await this.connection.createConfirmChannel();
    this.publisher = new RawConfirmPublisher(
      this.channel,
      this.topology.exchange,
      this.window,
      (index, at) => this.onConfirm(index, at),
      (error) => this.onError(error),
    );
  }

  publish(index: number, event: BenchEvent): void {
    // The raw equivalent of publishing an event object: JSON.stringify of the same object.
    this.publisher!.publish(
      index,
      this.bodies === 'objects' ? JSON.stringify(eventMessage(event)) : event.body,
    );
  }

  flush(): Promise<void> {
    return this.publisher!.whenIdle();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.connection?.close();
  }
}
