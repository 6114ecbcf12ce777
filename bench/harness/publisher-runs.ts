import { performance } from 'node:perf_hooks';
import { ClosedLoop } from './closed-loop';
import { FixedRateSchedule } from './fixed-rate';
import { LatencyRecorder } from './latency-recorder';
import type { BenchEvent } from './rasa-corpus';
import { startResourceMonitor } from './resource-monitor';
import { nodeMeasurement, type RunMeasurement } from './run-measurement';

/**
 * One publisher under test (our broker or the raw client) as the run drivers see it. The side
 * reports each confirmed event through `onConfirm` and failures through `onError`; the driver
 * sets both before each phase.
 */
export interface PublisherSide {
  /** Connects (and declares what it needs); resolves when events can be published. */
  connect(): Promise<void>;
  /** Publishes event `index`; returns at once (any waiting happens inside the side). */
  publish(index: number, event: BenchEvent): void;
  /** Resolves once everything published so far is confirmed. */
  flush(): Promise<void>;
  /** Releases the connection; throws if something published was not delivered. */
  close(): Promise<void>;
  onConfirm: (index: number, at: number) => void;
  onError: (error: unknown) => void;
}

/**
 * Closed-loop throughput: after `warmup` events (published and confirmed the same way, not
 * measured), publishes `events` keeping `window` unconfirmed, and measures events/s,
 * publish-to-confirm latency, the time of each `publish()` call, CPU, event-loop delay and RSS.
 */
export async function measureThroughput(
  side: PublisherSide,
  events: readonly BenchEvent[],
  options: { warmup: number; window: number },
): Promise<RunMeasurement> {
  await side.connect();
  const warm = events.slice(0, options.warmup);
  const measured = events.slice(options.warmup);
  await runClosedLoop(side, warm, options.window, new LatencyRecorder());

  const publishCall = new LatencyRecorder();
  const monitor = startResourceMonitor();
  const started = performance.now();
  const loop = await runClosedLoop(side, measured, options.window, publishCall);
  const seconds = (performance.now() - started) / 1000;
  const usage = monitor.stop();
  await side.close();
  return nodeMeasurement(measured.length, seconds, usage, {
    ack: loop.ackLatency.percentiles(),
    publishCall: publishCall.percentiles(),
  });
}

async function runClosedLoop(
  side: PublisherSide,
  events: readonly BenchEvent[],
  window: number,
  publishCall: LatencyRecorder,
): Promise<ClosedLoop> {
  const loop = new ClosedLoop({
    count: events.length,
    window,
    send: (index) => {
      const before = performance.now();
      side.publish(index, events[index]!);
      publishCall.recordSince(before);
    },
  });
  side.onConfirm = (index, at) => loop.acked(index, at);
  side.onError = (error) => loop.failed(error);
  await loop.run();
  return loop;
}

/**
 * End-to-end latency at a fixed rate: events are published on an open-loop schedule (`rate`
 * per second) and a consumer in the same process reports each body it receives through
 * `subscribe`; latency runs from each event's *scheduled* send time to its arrival. Events are
 * recognised by their body (every corpus body is unique), so nothing is added to what Rasa
 * publishes. A short warm-up at the same rate comes first. CPU and RSS include the consumer,
 * which is the same for both sides.
 */
export async function measureEndToEnd(
  side: PublisherSide,
  events: readonly BenchEvent[],
  options: {
    rate: number;
    warmup: number;
    /** Starts the consumer; `onArrival` gets each message body; resolves with a stop function. */
    subscribe(onArrival: (body: string) => void): Promise<() => Promise<void>>;
  },
): Promise<RunMeasurement> {
  const indexOf = new Map(events.map((event, index) => [event.body, index]));
  if (indexOf.size !== events.length) throw new Error('end-to-end runs need distinct bodies');
  let phase: { first: number; schedule: FixedRateSchedule } | undefined;
  const stop = await options.subscribe((body) => {
    const index = indexOf.get(body);
    if (!phase || index === undefined) return;
    phase.schedule.arrived(index - phase.first);
  });
  await side.connect();
  side.onConfirm = () => undefined;
  let failure: unknown;
  side.onError = (error) => {
    failure ??= error;
  };
  const runPhase = async (first: number, count: number) => {
    const schedule = new FixedRateSchedule({
      rate: options.rate,
      count,
      send: (index) => side.publish(first + index, events[first + index]!),
    });
    phase = { first, schedule };
    await schedule.send();
    await schedule.whenAllArrived(60_000);
    if (failure) throw failure;
    return schedule;
  };
  try {
    await runPhase(0, options.warmup);
    const measured = events.length - options.warmup;
    const monitor = startResourceMonitor();
    const started = performance.now();
    const schedule = await runPhase(options.warmup, measured);
    const seconds = (performance.now() - started) / 1000;
    const usage = monitor.stop();
    await side.flush();
    return nodeMeasurement(
      measured,
      seconds,
      usage,
      { endToEnd: schedule.endToEnd.percentiles() },
      { rate: options.rate },
    );
  } finally {
    await stop();
    await side.close();
  }
}
