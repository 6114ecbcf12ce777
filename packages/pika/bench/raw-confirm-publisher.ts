import { performance } from 'node:perf_hooks';
import type { ConfirmChannel } from 'amqplib';

interface Pending {
  index: number;
  body: string;
}

/** What PikaEventBroker sends with every event (Rasa's properties). */
const PROPERTIES = { persistent: true, mandatory: true };

/**
 * The baseline: amqplib used directly the way a careful user would, with the broker's
 * semantics (persistent, mandatory, publisher confirms, at most `window` unconfirmed, honouring
 * `publish() === false` by waiting for `drain`). Events that do not fit the window wait in an
 * array, in order.
 */
export class RawConfirmPublisher {
  private outstanding = 0;
  private writable = true;
  private readonly backlog: Pending[] = [];
  private backlogHead = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly channel: ConfirmChannel,
    private readonly exchange: string,
    private readonly window: number,
    private readonly onConfirm: (index: number, at: number) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    channel.on('drain', () => {
      this.writable = true;
      this.sendBacklog();
    });
  }

  publish(index: number, body: string): void {
    if (this.backlogHead < this.backlog.length || this.outstanding >= this.window || !this.writable) {
      this.backlog.push({ index, body });
      return;
    }
    this.send({ index, body });
  }

  /** Resolves once nothing waits in the backlog and every publish is confirmed. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private isIdle(): boolean {
    return this.outstanding === 0 && this.backlogHead === this.backlog.length;
  }

  private send({ index, body }: Pending): void {
    this.outstanding++;
    this.writable = this.channel.publish(
      this.exchange,
      '',
      Buffer.from(body),
      PROPERTIES,
      (error: unknown) => {
        this.outstanding--;
        if (error) this.onError(error);
        else this.onConfirm(index, performance.now());
        this.sendBacklog();
      },
    );
  }

  private sendBacklog(): void {
    while (this.backlogHead < this.backlog.length && this.outstanding < this.window && this.writable) {
      this.send(this.backlog[this.backlogHead++]!);
    }
    if (this.backlogHead > 1024 && this.backlogHead === this.backlog.length) {
      this.backlog.length = 0;
      this.backlogHead = 0;
    }
    if (this.idle.length > 0 && this.isIdle()) for (const resolve of this.idle.splice(0)) resolve();
  }
}
