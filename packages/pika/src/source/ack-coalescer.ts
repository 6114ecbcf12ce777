export interface AckCoalescerOptions {
  /** Acks are written once this many settled deliveries wait (a quarter of the prefetch suits). */
  batchSize: number;
  /** ... or once the oldest of them waited this long, in ms. */
  maxDelayMs: number;
}

/**
 * Acknowledges the deliveries of one channel in few frames. An ack per message costs a
 * socket write each, and RabbitMQ then refills the prefetch window one message at a time, so
 * both sides spend their time on tiny frames. Settled deliveries are acknowledged together
 * once `batchSize` of them wait or `maxDelayMs` passed, mostly as one `multiple` ack for the
 * run of settled deliveries from the oldest unacknowledged one. A `multiple` ack never covers
 * a delivery that was not settled.
 */
export class AckCoalescer {
  /** Delivery tags not yet covered by an ack, in delivery order (RabbitMQ numbers them upwards). */
  private outstanding: number[] = [];
  private head = 0;
  /** Settled, waiting to be acknowledged. */
  private readonly requested = new Set<number>();
  /** Acked one by one, still in `outstanding` behind an unsettled delivery. */
  private readonly ackedAlone = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  /** `send(tag, multiple)` writes one ack frame; it must not throw (the channel may be gone). */
  constructor(
    private readonly send: (deliveryTag: number, multiple: boolean) => void,
    private readonly options: AckCoalescerOptions,
  ) {}

  /** Records a delivery; tags must come in increasing order. */
  delivered(deliveryTag: number): void {
    this.outstanding.push(deliveryTag);
  }

  /** Queues the ack of a settled delivery. */
  ack(deliveryTag: number): void {
    this.requested.add(deliveryTag);
    if (this.requested.size >= this.options.batchSize) this.write(false);
    this.timer ??=
      this.requested.size > 0 ? setTimeout(() => this.flush(), this.options.maxDelayMs) : undefined;
  }

  /** Writes every queued ack now (when the delay is up, and before the channel closes). */
  flush(): void {
    this.write(true);
  }

  /**
   * Acks the run of settled deliveries from the oldest outstanding one with one frame. The
   * settled ones behind a gap (deliveries handled out of order) usually join the run soon;
   * they get single acks only when everything must go, or when so many wait that they hold
   * the prefetch window back.
   */
  private write(everything: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.requested.size === 0) return;
    let lastRequestedInRun: number | undefined;
    while (this.head < this.outstanding.length) {
      const tag = this.outstanding[this.head]!;
      if (this.requested.delete(tag)) lastRequestedInRun = tag;
      else if (!this.ackedAlone.delete(tag)) break;
      this.head++;
    }
    if (lastRequestedInRun !== undefined) this.send(lastRequestedInRun, true);
    if (everything || this.requested.size >= 2 * this.options.batchSize) {
      for (const tag of this.requested) {
        this.send(tag, false);
        this.ackedAlone.add(tag);
      }
      this.requested.clear();
    }
    if (this.head > 1024 && this.head * 2 > this.outstanding.length) {
      this.outstanding = this.outstanding.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops what is queued: the channel is gone and RabbitMQ redelivers those messages. */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.requested.clear();
  }
}
