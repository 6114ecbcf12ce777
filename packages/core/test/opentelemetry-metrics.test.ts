import { type DataPoint, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverChannel, noopLogger, PublishError, slotSet } from '../src/index';
import {
  DURATION_METRICS,
  type MetricsRegistration,
  observePublisherMetrics,
  PUBLISHER_METRICS,
  recordMessagingDurations,
} from '../src/opentelemetry/index';
import * as names from '../src/opentelemetry/metric-names';
import { ManualBroker } from './helpers/manual-broker';

/** A reader the test collects from on demand. */
class CollectingReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}

  /** The data points of `name` now. */
  async points(name: string): Promise<DataPoint<unknown>[]> {
    const { resourceMetrics } = await this.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === name)
      .flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]);
  }

  /** The value of `name` at the data point with exactly these attributes. */
  async value(name: string, attributes: Record<string, unknown> = {}): Promise<unknown> {
    const point = (await this.points(name)).find(
      (candidate) => JSON.stringify(candidate.attributes) === JSON.stringify(attributes),
    );
    return point?.value;
  }
}

const event = (n: number) => ({ sender_id: 's', ...slotSet('n', n, { timestamp: 1 }) });
const registrations: MetricsRegistration[] = [];

function meter(): { reader: CollectingReader; meter: ReturnType<MeterProvider['getMeter']> } {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, meter: provider.getMeter('test') };
}

afterEach(() => {
  for (const registration of registrations.splice(0)) registration.dispose();
});

describe('metric names', () => {
  it('the semantic conventions ones match @opentelemetry/semantic-conventions 1.45.0 (incubating)', () => {
    const pinned = Object.entries(names).filter(([name]) => name.startsWith('METRIC_'));
    expect(pinned).toHaveLength(4);
    for (const [name, value] of pinned) {
      expect([name, (incubating as Record<string, unknown>)[name]]).toEqual([name, value]);
    }
  });

  it('ours are under the broker. prefix', () => {
    for (const name of Object.values(PUBLISHER_METRICS)) {
      expect(name.startsWith('broker.') || name.startsWith('messaging.')).toBe(true);
    }
  });
});

describe('observePublisherMetrics', () => {
  it("reports the broker's counters and pending events at each collection", async () => {
    const { reader, meter: m } = meter();
    const broker = new ManualBroker({ logger: noopLogger });
    const attributes = { 'messaging.system': 'rabbitmq' };
    registrations.push(observePublisherMetrics(m, broker, attributes));
    for (let n = 0; n < 3; n++) broker.publish(event(n));
    expect(await reader.value(PUBLISHER_METRICS.accepted, attributes)).toBe(3);
    expect(await reader.value(PUBLISHER_METRICS.pendingMessages, attributes)).toBe(3);
    expect(await reader.value(PUBLISHER_METRICS.pendingBytes, attributes)).toBe(broker.stats().pendingBytes);
    const [first, second, third] = broker.takeAll();
    broker.confirm([first!, second!]);
    broker.failInFlight([third!], new PublishError('refused'));
    expect(await reader.value(PUBLISHER_METRICS.sent, attributes)).toBe(2);
    expect(await reader.value(PUBLISHER_METRICS.sent, { ...attributes, 'error.type': '_OTHER' })).toBe(1);
    expect(await reader.value(PUBLISHER_METRICS.pendingMessages, attributes)).toBe(0);
    await broker.close({ timeout: 0 });
  });

  it('reports the connection state as 1 for the current one and 0 for the others', async () => {
    const { reader, meter: m } = meter();
    const broker = new ManualBroker({ logger: noopLogger });
    registrations.push(observePublisherMetrics(m, broker));
    broker.moveTo('reconnecting');
    const points = await reader.points(PUBLISHER_METRICS.connectionState);
    expect(points.filter((point) => point.value === 1).map((point) => point.attributes)).toEqual([
      { 'broker.state': 'reconnecting' },
    ]);
    expect(points).toHaveLength(8);
    await broker.close({ timeout: 0 });
  });

  it('after dispose() the broker is no longer read', async () => {
    const { reader, meter: m } = meter();
    const broker = new ManualBroker({ logger: noopLogger });
    let reads = 0;
    const counted = {
      stats: () => {
        reads++;
        return broker.stats();
      },
      state: broker.state,
    };
    const registration = observePublisherMetrics(m, counted);
    await reader.collect();
    expect(reads).toBe(1);
    registration.dispose();
    await reader.collect();
    expect(reads).toBe(1);
    await broker.close({ timeout: 0 });
  });
});

describe('recordMessagingDurations', () => {
  it('records the time from the first send to the confirmation of each event, with error.type for a failure', async () => {
    const { reader, meter: m } = meter();
    registrations.push(recordMessagingDurations(m));
    const broker = new ManualBroker({ logger: noopLogger });
    for (let n = 0; n < 3; n++) broker.publish(event(n));
    const [first, second, third] = broker.takeAll();
    broker.confirm([first!, second!]);
    broker.failInFlight([third!], new PublishError('refused'));
    const points = (await reader.points(DURATION_METRICS.delivery)) as DataPoint<Histogram>[];
    const confirmed = points.find((point) => point.attributes['error.type'] === undefined);
    const failed = points.find((point) => point.attributes['error.type'] !== undefined);
    expect(confirmed?.value.count).toBe(2);
    expect(confirmed?.attributes).toMatchObject({ 'messaging.operation.name': 'send' });
    expect(failed?.value.count).toBe(1);
    expect(failed?.attributes['error.type']).toBe('BROKER_PUBLISH_FAILED');
    await broker.close({ timeout: 0 });
  });

  it('unsubscribes on dispose(): the channels have no subscriber left', () => {
    const { meter: m } = meter();
    const registration = recordMessagingDurations(m);
    expect(deliverChannel.hasSubscribers).toBe(true);
    registration.dispose();
    expect(deliverChannel.hasSubscribers).toBe(false);
  });
});
