import type { SourceBacklog } from '@broker/core';
import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { EventConsumer } from '../src/consumer/event-consumer';
import { BacklogPoller } from '../src/metrics/backlog-poller';
import { observeConsumerMetrics } from '../src/metrics/consumer-metrics';
import { CONSUMER_METRICS } from '../src/metrics/metric-names';
import { MemoryMessageSource } from './helpers/memory-message-source';
import { wireBody } from './helpers/wire';

class CollectingReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}

  /** The data points of every metric, by name. */
  async snapshot(): Promise<Map<string, DataPoint<unknown>[]>> {
    const { resourceMetrics } = await this.collect();
    const points = new Map<string, DataPoint<unknown>[]>();
    for (const metric of resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)) {
      points.set(metric.descriptor.name, metric.dataPoints as DataPoint<unknown>[]);
    }
    return points;
  }
}

/** The memory queue, with its ready messages as the backlog a broker would report. */
class QueueWithBacklog extends MemoryMessageSource {
  backlogCalls = 0;
  async backlog(): Promise<SourceBacklog[]> {
    this.backlogCalls++;
    return [{ destination: 'memory-queue', messages: this.readyCount }];
  }
}

const silent = { debug: () => undefined } as never;

describe('observeConsumerMetrics', () => {
  it("reports the consumer's counters, dead letters by reason, the lag and the outage state", async () => {
    const source = new QueueWithBacklog();
    const controller = new AbortController();
    const consumer = new EventConsumer(source, {
      signal: controller.signal,
      retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 1 },
      handler: async (event) => {
        if (event.body.includes('poison')) throw new Error('cannot handle this one');
      },
    });
    const reader = new CollectingReader();
    const meter = new MeterProvider({ readers: [reader] }).getMeter('test');
    observeConsumerMetrics(meter, consumer, {
      lagIntervalMs: 0,
      attributes: { 'messaging.consumer.group.name': 'g' },
    });
    for (let i = 0; i < 5; i++) source.push(wireBody(`s${i}`));
    source.push(wireBody('s9', 'bot', { text: 'poison' }));
    source.push('not json');
    const before = await reader.snapshot();
    expect(before.get(CONSUMER_METRICS.lag)?.map((point) => [point.attributes, point.value])).toEqual([
      [
        {
          'messaging.system': 'memory',
          'messaging.consumer.group.name': 'g',
          'messaging.destination.name': 'memory-queue',
        },
        7,
      ],
    ]);
    const run = consumer.run();
    await source.settledCount(7);
    const after = await reader.snapshot();
    const value = (name: string, reason?: string) =>
      after
        .get(name)
        ?.find((point) => reason === undefined || point.attributes['broker.dead_letter.reason'] === reason)
        ?.value;
    expect(value(CONSUMER_METRICS.consumed)).toBe(7);
    expect(value(CONSUMER_METRICS.handled)).toBe(5);
    expect(value(CONSUMER_METRICS.retried)).toBe(1);
    expect(value(CONSUMER_METRICS.deadLettered, 'failed')).toBe(1);
    expect(value(CONSUMER_METRICS.deadLettered, 'malformed')).toBe(1);
    expect(value(CONSUMER_METRICS.inFlight)).toBe(0);
    expect(value(CONSUMER_METRICS.paused)).toBe(0);
    expect(value(CONSUMER_METRICS.lag)).toBe(0);
    controller.abort();
    await run;
  });
});

describe('BacklogPoller', () => {
  it('asks the source at most once per interval; collections in between get the last answer', async () => {
    const source = new QueueWithBacklog();
    const poller = new BacklogPoller(source, Number.POSITIVE_INFINITY, silent);
    source.push(wireBody('a'));
    expect(await poller.current()).toEqual([{ destination: 'memory-queue', messages: 1 }]);
    source.push(wireBody('b'));
    expect(await poller.current()).toEqual([{ destination: 'memory-queue', messages: 1 }]);
    expect(source.backlogCalls).toBe(1);
  });

  it('shares a query under way, asks again once the interval passed', async () => {
    const source = new QueueWithBacklog();
    const poller = new BacklogPoller(source, 0, silent);
    await Promise.all([poller.current(), poller.current()]);
    expect(source.backlogCalls).toBe(1);
    await poller.current();
    expect(source.backlogCalls).toBe(2);
  });

  it('reports nothing while the source cannot answer, rather than a stale lag', async () => {
    const source = new QueueWithBacklog();
    const poller = new BacklogPoller(source, 0, silent);
    source.push(wireBody('a'));
    expect(await poller.current()).toHaveLength(1);
    source.backlog = async () => {
      throw new Error('the broker is away');
    };
    expect(await poller.current()).toEqual([]);
  });

  it('a source without backlog() reports nothing', async () => {
    const poller = new BacklogPoller({ name: 'file' }, 0, silent);
    expect(await poller.current()).toEqual([]);
  });
});
