import { afterEach, describe, expect, it } from 'vitest';
import type { MessageSource, Settlement, SourceMessage } from '../consumer/message-source';
import type { RasaEvent } from '../events/event-types';
import { serialiseEvent } from '../events/serialise-event';
import { SAMPLE_EVENTS } from './sample-events';

/** One test's destination (queue, topic, file) and how to reach it. */
export interface MessageSourceUnderTest {
  /**
   * A new source reading this test's destination. Called again for a restarted consumer: the
   * same queue, the same consumer group.
   */
  open(): MessageSource;
  /** Appends raw bodies to the destination, in this order, as one producer of one conversation. */
  publish(bodies: readonly string[]): Promise<void>;
  /** The first `count` bodies dead-lettered from the destination; left out where there are no dead letters. */
  readDeadLetters?(count: number, timeoutMs: number): Promise<string[]>;
  /** Removes the destination and its dead-letter destination. Sources opened are already closed. */
  teardown(): Promise<void>;
}

export interface MessageSourceContractHarness {
  setup(): Promise<MessageSourceUnderTest>;
  /** Unsettled messages come back to the next consumer (a queue, a consumer group); not for a file. */
  redelivers: boolean;
  /** How long a delivery may take, in ms. Default 20 000. */
  timeoutMs?: number;
}

/** How long a test waits to prove that nothing more is delivered. */
const QUIET_MS = 500;

/** Deliveries of one `consume` call, with a way to wait for the n-th and to stop. */
class Consuming {
  readonly messages: SourceMessage[] = [];
  consumingCalls = 0;
  /** `consumingCalls` when the first message arrived. */
  consumingBeforeFirst = -1;
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly controller = new AbortController();
  readonly done: Promise<void>;

  constructor(
    readonly source: MessageSource,
    maxInFlight: number,
  ) {
    this.done = source.consume(
      (message) => {
        if (this.messages.length === 0) this.consumingBeforeFirst = this.consumingCalls;
        this.messages.push(message);
        for (const waiter of this.waiters.filter((w) => this.messages.length >= w.count)) waiter.resolve();
      },
      { maxInFlight, signal: this.controller.signal, onConsuming: () => this.consumingCalls++ },
    );
  }

  async until(count: number, timeoutMs: number): Promise<SourceMessage[]> {
    if (this.messages.length < count) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push({ count, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${this.messages.length} of ${count} messages in ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
        this.done.then(() => {
          throw new Error(`consume ended after ${this.messages.length} of ${count} messages`);
        }),
      ]).finally(() => clearTimeout(timer));
    }
    return this.messages.slice(0, count);
  }

  bodies(): string[] {
    return this.messages.map((message) => message.body.toString('utf8'));
  }

  /** Stops consuming and closes the source; what is unsettled stays with the broker. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.done.catch(() => undefined);
    await this.source.close();
  }
}

const ack: Settlement = { outcome: 'ack' };

/** Distinct Rasa bodies of one conversation, as a Rasa server writes them. */
function bodies(count: number, label: string): string[] {
  return Array.from({ length: count }, (_, index) =>
    serialiseEvent(`contract-${label}`, {
      ...SAMPLE_EVENTS[index % SAMPLE_EVENTS.length],
      timestamp: 1_700_000_000 + index,
    } as RasaEvent),
  );
}

/**
 * The behaviour every MessageSource must have, as a vitest suite: bodies delivered byte for
 * byte and in order after `onConsuming`, the in-flight bound, a stop that leaves unsettled
 * messages with the broker for the next consumer (and acknowledged ones gone), dead letters that
 * leave the destination, and settling twice being harmless. Core runs it against the file
 * source; adapters run it against real RabbitMQ and Kafka.
 */
export function describeMessageSourceContract(name: string, harness: MessageSourceContractHarness): void {
  const timeout = harness.timeoutMs ?? 20_000;

  describe(`MessageSource contract: ${name}`, () => {
    let current: MessageSourceUnderTest | undefined;
    const running: Consuming[] = [];

    const setup = async () => {
      current = await harness.setup();
      return current;
    };
    const consume = (under: MessageSourceUnderTest, maxInFlight: number) => {
      const consuming = new Consuming(under.open(), maxInFlight);
      running.push(consuming);
      return consuming;
    };

    afterEach(async () => {
      for (const consuming of running.splice(0)) await consuming.stop();
      await current?.teardown();
      current = undefined;
    });

    it('delivers every body byte for byte, in publish order, after onConsuming', {
      timeout: timeout * 2,
    }, async () => {
      const under = await setup();
      const sent = bodies(6, 'order');
      const consuming = consume(under, 10);
      await under.publish(sent);
      const received = await consuming.until(sent.length, timeout);
      expect(consuming.bodies()).toEqual(sent);
      expect(consuming.consumingBeforeFirst).toBeGreaterThanOrEqual(1);
      for (const message of received) {
        expect(message.position, 'position').toMatch(/\S/);
        expect(typeof message.headers).toBe('object');
        await message.settle(ack);
      }
    });

    it('keeps at most maxInFlight messages unsettled', { timeout: timeout * 2 }, async () => {
      const under = await setup();
      await under.publish(bodies(5, 'window'));
      const consuming = consume(under, 2);
      const [first] = await consuming.until(2, timeout);
      // Proves that nothing more arrives while two are unsettled.
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      expect(consuming.messages).toHaveLength(2);
      await first?.settle(ack);
      await consuming.until(3, timeout);
      expect(consuming.bodies()).toEqual(bodies(5, 'window').slice(0, 3));
    });

    it('settling a message twice does nothing more', { timeout: timeout * 2 }, async () => {
      const under = await setup();
      await under.publish(bodies(2, 'twice'));
      const consuming = consume(under, 1);
      const [first] = await consuming.until(1, timeout);
      await first?.settle(ack);
      await first?.settle(ack);
      await first?.settle({ outcome: 'dead-letter', reason: 'settled already' });
      const [, second] = await consuming.until(2, timeout);
      await second?.settle(ack);
      expect(consuming.bodies()).toEqual(bodies(2, 'twice'));
    });

    if (harness.redelivers) {
      it('a restarted consumer gets what was not acknowledged, in order, and nothing that was', {
        timeout: timeout * 3,
      }, async () => {
        const under = await setup();
        const sent = bodies(4, 'restart');
        await under.publish(sent);
        const first = consume(under, 4);
        const received = await first.until(4, timeout);
        await received[0]?.settle(ack);
        await received[1]?.settle(ack);
        await first.stop();

        const again = consume(under, 4);
        // A body published after the stop: the restarted consumer reaches it only after the redeliveries.
        const marker = bodies(5, 'restart')[4] as string;
        await under.publish([marker]);
        const redelivered = await again.until(3, timeout);
        expect(again.bodies()).toEqual([sent[2], sent[3], marker]);
        for (const [index, message] of redelivered.slice(0, 2).entries()) {
          const before = received[index + 2]?.messageId;
          if (before !== undefined)
            expect(message.messageId, 'the same message, the same identity').toBe(before);
        }
        for (const message of redelivered) await message.settle(ack);
      });
    }

    if (harness.redelivers) {
      it('a dead letter is copied to the dead-letter destination and not delivered again', {
        timeout: timeout * 3,
      }, async () => {
        const under = await setup();
        if (!under.readDeadLetters)
          throw new Error(`${name}: a source that redelivers needs readDeadLetters`);
        const sent = bodies(2, 'dead-letter');
        await under.publish(sent);
        const first = consume(under, 2);
        const [poison, good] = await first.until(2, timeout);
        await poison?.settle({ outcome: 'dead-letter', reason: 'contract test: cannot be handled' });
        await good?.settle(ack);
        expect(await under.readDeadLetters(1, timeout)).toEqual([sent[0]]);
        await first.stop();

        const again = consume(under, 2);
        const marker = bodies(3, 'dead-letter')[2] as string;
        await under.publish([marker]);
        await again.until(1, timeout);
        expect(again.bodies()).toEqual([marker]);
      });
    }
  });
}
