import type { ConsumeOptions, MessageSource, Settlement, SourceMessage } from '@broker/core';

export interface RecordedSettlement {
  position: string;
  body: string;
  settlement: Settlement;
}

interface Queued {
  id: number;
  body: string;
  headers: Record<string, string>;
  redelivered: boolean;
  messageId: string | undefined;
}

/**
 * A broker queue in memory with RabbitMQ's delivery rules, for unit tests: at most
 * `maxInFlight` unsettled deliveries, settle once, and `reconnect()` redelivers everything
 * unsettled (flagged `redelivered`) while settlements of the old deliveries do nothing.
 */
export class MemoryMessageSource implements MessageSource {
  readonly name = 'memory';
  readonly description = 'memory queue';
  readonly settlements: RecordedSettlement[] = [];
  readonly deadLetters: RecordedSettlement[] = [];
  maxInFlightSeen = 0;
  private readonly ready: Queued[] = [];
  private readonly unsettled = new Map<number, Queued>();
  private generation = 0;
  private nextId = 1;
  private deliver: ((message: SourceMessage) => void) | undefined;
  private options: ConsumeOptions | undefined;
  private settledWaiters: (() => void)[] = [];
  closed = false;

  /** Queues a message; `messageId` is the identity a producer may give it (AMQP message_id). */
  push(body: string | object, headers: Record<string, string> = {}, messageId?: string): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    this.ready.push({ id: this.nextId++, body: text, headers, redelivered: false, messageId });
    this.pump();
  }

  /** Everything delivered and unsettled goes back to the front of the queue, flagged redelivered. */
  reconnect(): void {
    this.generation++;
    const back = [...this.unsettled.values()].sort((a, b) => a.id - b.id);
    this.unsettled.clear();
    this.ready.unshift(...back.map((m) => ({ ...m, redelivered: true })));
    this.pump();
  }

  get unsettledCount(): number {
    return this.unsettled.size;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  /** Resolves once `count` messages have been settled in total. */
  async settledCount(count: number): Promise<void> {
    while (this.settlements.length < count) await new Promise<void>((r) => this.settledWaiters.push(r));
  }

  consume(onMessage: (message: SourceMessage) => void, options: ConsumeOptions): Promise<void> {
    this.deliver = onMessage;
    this.options = options;
    this.pump();
    return new Promise((resolve) => {
      const finish = () => {
        this.deliver = undefined;
        resolve();
      };
      if (options.signal.aborted) finish();
      else options.signal.addEventListener('abort', finish, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private pump(): void {
    while (
      this.deliver &&
      this.options &&
      this.ready.length > 0 &&
      this.unsettled.size < this.options.maxInFlight
    ) {
      const queued = this.ready.shift() as Queued;
      this.unsettled.set(queued.id, queued);
      this.maxInFlightSeen = Math.max(this.maxInFlightSeen, this.unsettled.size);
      const generation = this.generation;
      const position = `memory#${queued.id}`;
      this.deliver({
        body: Buffer.from(queued.body, 'utf8'),
        headers: queued.headers,
        key: undefined,
        redelivered: queued.redelivered,
        messageId: queued.messageId,
        position,
        meta: { id: queued.id },
        settle: async (settlement) => {
          if (generation !== this.generation || !this.unsettled.has(queued.id)) return;
          this.unsettled.delete(queued.id);
          const record = { position, body: queued.body, settlement };
          this.settlements.push(record);
          if (settlement.outcome === 'dead-letter') this.deadLetters.push(record);
          for (const wake of this.settledWaiters.splice(0)) wake();
          queueMicrotask(() => this.pump());
        },
      });
    }
  }
}
