import type { BrokerError } from '../errors/broker-error';
import { BufferOverflowError, DeliveryFailedError, TimeoutError } from '../errors/errors';
import type { DeliverContext, PublishContext } from '../telemetry/channels';
import { type BufferLimits, DEFAULT_BUFFER_LIMITS } from './buffer-limits';
import type { BrokerStats } from './event-broker';

/** One accepted event on its way to the broker. */
export interface OutboundMessage {
  /** Acceptance order; per-sender order follows from it. */
  readonly seq: number;
  readonly senderId: string;
  readonly body: string;
  /** UTF-8 size of `body`. */
  readonly size: number;
  readonly headers: Record<string, string> | undefined;
  /** How many times it was handed to the transport. */
  attempts: number;
  /** Set once it is confirmed, failed or dropped; later reports about it are ignored. */
  settled: boolean;
  /**
   * What the transport built from it for the first attempt (Kafka: the producer record), kept
   * so that a resend is the same. Undefined until then; a field rather than a side table, so
   * that the hot path pays no lookups.
   */
  transportRecord: unknown;
  /** Its `broker:publish` trace context, when someone subscribed to that channel as it was published. */
  publishContext: PublishContext | undefined;
  /** Its `broker:deliver` trace context, from its first send while someone subscribes to that channel. */
  deliverContext: DeliverContext | undefined;
}

/** Why a settled event failed or was dropped; a function when the error is built only if someone asks. */
export type SettleReason = BrokerError | (() => BrokerError);

/** Told when an event is first handed to the transport and when it is settled (the `broker:deliver` channel). */
export interface DeliveryObserver {
  sent(message: OutboundMessage): void;
  settled(message: OutboundMessage, outcome: SettleOutcome, reason: SettleReason | undefined): void;
}

/** The error behind events the `drop-oldest` overflow policy discarded. */
export function dropOldestError(count: number): BufferOverflowError {
  return new BufferOverflowError(
    `The publish buffer is full (overflow: drop-oldest): dropped the oldest ${count} event(s).`,
  );
}

/** The longest delay setTimeout() honours. */
const MAX_TIMER_MS = 2_147_483_647;

export type SettleOutcome = 'confirmed' | 'failed' | 'dropped';

interface FlushWaiter {
  target: number;
  remaining: number;
  failed: number;
  dropped: number;
  settle: (error?: BrokerError) => void;
}

/**
 * The pending events of one broker: a FIFO of queued events plus the set handed to the
 * transport. Bounded by count and bytes, with an explicit overflow policy. Everything that
 * leaves it is counted as confirmed, failed or dropped, and `flush` waiters learn which.
 */
export class OutboundQueue {
  readonly limits: Required<BufferLimits>;
  private queued: OutboundMessage[] = [];
  private head = 0;
  private readonly inFlight = new Set<OutboundMessage>();
  private nextSeq = 1;
  private pendingBytes = 0;
  private waiters: FlushWaiter[] = [];
  private readonly counters = { published: 0, confirmed: 0, failed: 0, dropped: 0, rejected: 0, resent: 0 };

  constructor(
    limits: BufferLimits = {},
    private readonly onDrop: (dropped: OutboundMessage[]) => void = () => {},
    private readonly observer?: DeliveryObserver,
  ) {
    this.limits = { ...DEFAULT_BUFFER_LIMITS, ...stripUndefined(limits) };
  }

  get queuedCount(): number {
    return this.queued.length - this.head;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get pendingCount(): number {
    return this.queuedCount + this.inFlight.size;
  }

  /** Accepts one event, applying the overflow policy when the buffer is full (a refusal is counted as `rejected`). */
  enqueue(senderId: string, body: string, headers?: Record<string, string>): OutboundMessage {
    const size = Buffer.byteLength(body);
    if (!this.fits(size)) this.makeRoom(size);
    const message: OutboundMessage = {
      seq: this.nextSeq++,
      senderId,
      body,
      size,
      headers,
      attempts: 0,
      settled: false,
      transportRecord: undefined,
      publishContext: undefined,
      deliverContext: undefined,
    };
    this.queued.push(message);
    this.pendingBytes += size;
    this.counters.published++;
    return message;
  }

  /** Moves up to `maxCount` queued events (and about `maxBytes`) to in flight, oldest first. */
  take(maxCount: number, maxBytes = Number.POSITIVE_INFINITY): OutboundMessage[] {
    const batch: OutboundMessage[] = [];
    let bytes = 0;
    while (batch.length < maxCount && this.head < this.queued.length) {
      const message = this.queued[this.head]!;
      if (batch.length > 0 && bytes + message.size > maxBytes) break;
      this.head++;
      bytes += message.size;
      if (message.attempts > 0) this.counters.resent++;
      message.attempts++;
      if (message.attempts === 1) this.observer?.sent(message);
      this.inFlight.add(message);
      batch.push(message);
    }
    this.compact();
    return batch;
  }

  /** The broker confirmed these events. */
  confirm(messages: Iterable<OutboundMessage>): void {
    for (const message of messages) this.settle(message, 'confirmed');
  }

  /** These in-flight events were not confirmed (connection lost, nack): send them again first, in order. */
  requeue(messages: Iterable<OutboundMessage>): void {
    const back = [...messages]
      .filter((m) => !m.settled && this.inFlight.delete(m))
      .sort((a, b) => a.seq - b.seq);
    if (back.length === 0) return;
    const rest = this.queued.slice(this.head);
    this.queued = mergeBySeq(back, rest);
    this.head = 0;
  }

  /** Every in-flight event goes back to the queue (after a connection loss). */
  requeueAllInFlight(): number {
    const count = this.inFlight.size;
    this.requeue([...this.inFlight]);
    return count;
  }

  /** These in-flight events were rejected for good. */
  fail(messages: Iterable<OutboundMessage>, reason?: SettleReason): void {
    for (const message of messages) this.settle(message, 'failed', reason);
  }

  /** Removes and returns everything still pending (queued and in flight), oldest first, settled as `outcome`. */
  drainAll(outcome: 'dropped' | 'failed', reason?: SettleReason): OutboundMessage[] {
    const all = [...this.inFlight, ...this.queued.slice(this.head)].sort((a, b) => a.seq - b.seq);
    this.queued = [];
    this.head = 0;
    for (const message of all) this.settle(message, outcome, reason);
    return all;
  }

  /** Resolves when every event accepted so far is settled; rejects if some failed or were dropped, or on timeout. */
  whenSettled(timeoutMs?: number): Promise<void> {
    const pending = this.pendingCount;
    if (pending === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: FlushWaiter = {
        target: this.nextSeq - 1,
        remaining: pending,
        failed: 0,
        dropped: 0,
        settle: (error) => {
          if (timer) clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          if (error) reject(error);
          else resolve();
        },
      };
      this.waiters.push(waiter);
      // setTimeout() fires after 1 ms for delays it cannot hold (over 2^31-1 ms, about 24.8 days);
      // such a timeout means "wait", not "give up now".
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs <= MAX_TIMER_MS) {
        timer = setTimeout(() => {
          waiter.settle(
            new TimeoutError(
              `flush timed out after ${timeoutMs} ms: ${waiter.remaining} event(s) still pending ` +
                `(${this.queuedCount} queued, ${this.inFlight.size} in flight, ${this.pendingCount} pending in total).`,
              waiter.remaining,
              { details: { queued: this.queuedCount, inFlight: this.inFlight.size } },
            ),
          );
        }, timeoutMs);
        timer.unref?.();
      }
    });
  }

  stats(): BrokerStats {
    return {
      ...this.counters,
      pending: this.pendingCount,
      inFlight: this.inFlight.size,
      pendingBytes: this.pendingBytes,
    };
  }

  private fits(size: number): boolean {
    return this.pendingCount + 1 <= this.limits.maxEvents && this.pendingBytes + size <= this.limits.maxBytes;
  }

  private makeRoom(size: number): void {
    const { maxEvents, maxBytes, overflow } = this.limits;
    if (size > maxBytes) {
      this.counters.rejected++;
      throw new BufferOverflowError(
        `The event (${size} bytes) is larger than the whole buffer (maxBytes ${maxBytes}).`,
        {
          canRetry: false,
        },
      );
    }
    if (overflow === 'drop-oldest') {
      const dropped: OutboundMessage[] = [];
      while (!this.fits(size) && this.head < this.queued.length) {
        const oldest = this.queued[this.head++]!;
        dropped.push(oldest);
        this.settle(oldest, 'dropped', () => dropOldestError(1));
      }
      this.compact();
      if (dropped.length > 0) this.onDrop(dropped);
      if (this.fits(size)) return;
    }
    this.counters.rejected++;
    throw new BufferOverflowError(
      `The publish buffer is full (${this.pendingCount} events, ${this.pendingBytes} bytes pending; ` +
        `limits maxEvents ${maxEvents}, maxBytes ${maxBytes}, overflow '${overflow}'). ` +
        'The broker is slow or unreachable; retry later, raise the limits, or use overflow: "drop-oldest".',
      { details: { pending: this.pendingCount, pendingBytes: this.pendingBytes } },
    );
  }

  private settle(message: OutboundMessage, outcome: SettleOutcome, reason?: SettleReason): void {
    if (message.settled) return;
    message.settled = true;
    this.inFlight.delete(message);
    this.pendingBytes -= message.size;
    this.counters[outcome]++;
    this.observer?.settled(message, outcome, reason);
    for (const waiter of [...this.waiters]) {
      if (message.seq > waiter.target) continue;
      if (outcome === 'failed') waiter.failed++;
      if (outcome === 'dropped') waiter.dropped++;
      if (--waiter.remaining === 0) {
        waiter.settle(
          waiter.failed + waiter.dropped > 0
            ? new DeliveryFailedError(waiter.failed, waiter.dropped)
            : undefined,
        );
      }
    }
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queued.length) {
      this.queued = this.queued.slice(this.head);
      this.head = 0;
    }
  }
}

function mergeBySeq(a: OutboundMessage[], b: OutboundMessage[]): OutboundMessage[] {
  const out: OutboundMessage[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]!.seq < b[j]!.seq ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
