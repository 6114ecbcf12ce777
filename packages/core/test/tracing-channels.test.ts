import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BrokerClosedError,
  BufferOverflowError,
  CONNECTION_CHANNEL,
  type ConnectionStateMessage,
  DELIVER_CHANNEL,
  type DeliverContext,
  InMemoryEventBroker,
  noopLogger,
  PUBLISH_CHANNEL,
  type PublishContext,
  PublishError,
  publishChannel,
  slotSet,
} from '../src/index';
import { recordTracingChannel } from '../src/testing/trace-recorder';
import { ManualBroker } from './helpers/manual-broker';

const event = (n: number, sender = 's') => ({ sender_id: sender, ...slotSet('n', n, { timestamp: 1 }) });

/** Records every phase of a tracing channel, by name as a subscriber in another package would. */
function record<T extends object>(name: string) {
  const recorder = recordTracingChannel<T>(name);
  cleanups.push(recorder.stop);
  return recorder.phases;
}

function recordConnection(): ConnectionStateMessage[] {
  const seen: ConnectionStateMessage[] = [];
  const listener = (message: unknown) => seen.push(message as ConnectionStateMessage);
  diagnosticsChannel.subscribe(CONNECTION_CHANNEL, listener);
  cleanups.push(() => diagnosticsChannel.unsubscribe(CONNECTION_CHANNEL, listener));
  return seen;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('broker:publish', () => {
  it('traces an accepted event synchronously: start then end, with where it goes, its sender and size', () => {
    const seen = record<PublishContext>(PUBLISH_CHANNEL);
    const broker = new ManualBroker({ logger: noopLogger });
    broker.publish(event(1, 'alice'));
    expect(seen.map((s) => s.phase)).toEqual(['start', 'end']);
    expect(seen[0]?.snapshot).toEqual({
      system: 'manual',
      destination: '',
      broker: 'manual',
      headers: undefined,
    });
    const body = broker.takeAll()[0]!.body;
    expect(seen[1]?.context).toMatchObject({ senderId: 'alice', bodySize: Buffer.byteLength(body) });
  });

  it('sends the headers a start subscriber put on the context', async () => {
    const addTraceparent = (context: unknown) => {
      const traced = context as PublishContext;
      traced.headers = {
        ...traced.headers,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      };
    };
    publishChannel.start.subscribe(addTraceparent);
    cleanups.push(() => publishChannel.start.unsubscribe(addTraceparent));
    const broker = new InMemoryEventBroker({ logger: noopLogger });
    broker.publish(event(1), { headers: { mine: 'kept' } });
    await broker.flush(5000);
    expect(broker.messages[0]?.headers).toEqual({
      mine: 'kept',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    await broker.close();
  });

  it('publishes a refusal on error, then end, and still throws it to the caller', async () => {
    const seen = record<PublishContext>(PUBLISH_CHANNEL);
    const broker = new ManualBroker({ logger: noopLogger });
    await broker.close({ timeout: 0 });
    expect(() => broker.publish(event(1))).toThrow(BrokerClosedError);
    expect(seen.map((s) => s.phase)).toEqual(['start', 'error', 'end']);
    expect(BrokerClosedError.isInstance(seen[1]?.context.error)).toBe(true);
  });

  it('builds no context while nobody subscribes', () => {
    const broker = new ManualBroker({ logger: noopLogger });
    broker.publish(event(1));
    const [message] = broker.takeAll();
    expect(message?.publishContext).toBeUndefined();
    expect(message?.deliverContext).toBeUndefined();
  });
});

describe('broker:deliver', () => {
  it('starts at the first send and ends once confirmed, linked to the publish context', () => {
    const published = record<PublishContext>(PUBLISH_CHANNEL);
    const seen = record<DeliverContext>(DELIVER_CHANNEL);
    const broker = new ManualBroker({ logger: noopLogger });
    broker.publish(event(1, 'bob'));
    expect(seen).toEqual([]);
    const batch = broker.takeAll();
    expect(seen.map((s) => s.phase)).toEqual(['start']);
    expect(seen[0]?.snapshot).toMatchObject({
      system: 'manual',
      broker: 'manual',
      senderId: 'bob',
      attempts: 1,
    });
    expect(seen[0]?.context.publish).toBe(published[0]?.context);
    broker.confirm(batch);
    expect(seen.map((s) => s.phase)).toEqual(['start', 'asyncEnd']);
    expect(seen[1]?.context).toMatchObject({ outcome: 'confirmed', attempts: 1 });
    expect(seen[1]?.context.error).toBeUndefined();
  });

  it('counts re-sends in attempts and starts only once', () => {
    const seen = record<DeliverContext>(DELIVER_CHANNEL);
    const broker = new ManualBroker({ logger: noopLogger });
    broker.publish(event(1));
    const first = broker.takeAll();
    (broker as unknown as { queue: { requeue(m: unknown[]): void } }).queue.requeue(first);
    broker.confirm(broker.takeAll());
    expect(seen.map((s) => s.phase)).toEqual(['start', 'asyncEnd']);
    expect(seen[1]?.context.attempts).toBe(2);
  });

  it('publishes a failure on error with the reason, then asyncEnd', () => {
    const seen = record<DeliverContext>(DELIVER_CHANNEL);
    const broker = new ManualBroker({ logger: noopLogger });
    broker.on('error', () => {});
    broker.publish(event(1));
    const refused = new PublishError('refused by the broker');
    broker.failInFlight(broker.takeAll(), refused);
    expect(seen.map((s) => s.phase)).toEqual(['start', 'error', 'asyncEnd']);
    expect(seen[2]?.context).toMatchObject({ outcome: 'failed', error: refused });
  });

  it('traces an event dropped from a full buffer before it was sent: start, error, asyncEnd, attempts 0', () => {
    const seen = record<DeliverContext>(DELIVER_CHANNEL);
    const broker = new ManualBroker({
      logger: noopLogger,
      buffer: { maxEvents: 1, overflow: 'drop-oldest' },
    });
    broker.on('undelivered', () => {});
    broker.publish(event(1, 'first'));
    broker.publish(event(2, 'second'));
    expect(seen.map((s) => s.phase)).toEqual(['start', 'error', 'asyncEnd']);
    expect(seen[0]?.snapshot).toMatchObject({ senderId: 'first', attempts: 0 });
    expect(seen[2]?.context.outcome).toBe('dropped');
    expect(BufferOverflowError.isInstance(seen[2]?.context.error)).toBe(true);
  });

  it('ends what is left over at close as dropped, with the close timeout error', async () => {
    const seen = record<DeliverContext>(DELIVER_CHANNEL);
    const broker = new ManualBroker({ logger: noopLogger });
    broker.on('error', () => {});
    broker.publish(event(1));
    broker.takeAll();
    await broker.close({ timeout: 0 });
    expect(seen.map((s) => s.phase)).toEqual(['start', 'error', 'asyncEnd']);
    expect(seen[2]?.context.outcome).toBe('dropped');
    expect(seen[2]?.context.error).toMatchObject({ message: expect.stringMatching(/close timeout/) });
  });
});

describe('broker:connection', () => {
  it('reports every state change of a publisher', async () => {
    const seen = recordConnection();
    const broker = new InMemoryEventBroker({ logger: noopLogger });
    broker.publish(event(1));
    await broker.flush(5000);
    await broker.close();
    expect(seen.map((m) => [m.role, m.system, m.name, m.previous, m.state])).toEqual([
      ['publisher', 'memory', 'memory', 'idle', 'connecting'],
      ['publisher', 'memory', 'memory', 'connecting', 'ready'],
      ['publisher', 'memory', 'memory', 'ready', 'closing'],
      ['publisher', 'memory', 'memory', 'closing', 'closed'],
    ]);
  });

  it('reports a failure with its error', () => {
    const seen = recordConnection();
    const broker = new ManualBroker({ logger: noopLogger });
    broker.on('error', () => {});
    const error = new PublishError('access refused');
    broker.failNow(error);
    expect(seen.at(-1)).toMatchObject({ state: 'failed', previous: 'idle', error });
  });
});
