/**
 * Memory under an outage: the `fault` RabbitMQ node is stopped, a PikaEventBroker in
 * `startup: buffer` mode keeps accepting events (fresh bodies, serialised by `publish` as a
 * tracker store does), the buffer fills to its configured byte bound, and publishing goes on
 * for twice as many events with `overflow: drop-oldest`. RSS is sampled throughout; heap use
 * is read after a forced GC with the buffer full. Then the node is started again and the
 * buffered events are delivered. Runs in its own process (`--expose-gc`) so the numbers are the
 * broker's alone.
 *
 *   pnpm --filter @broker/pika bench:outage [--quick] [--max-mib N] [--out file.json]
 */
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { EventMessageBody } from '@broker/core';
import {
  beginSuite,
  benchOptions,
  childTask,
  positiveInteger,
  rasaCorpus,
  reportToParent,
  runInChild,
  writeSuiteResult,
} from 'broker-bench-harness';
import { removeRabbitResources, requireRabbitMq, startRabbitNode, stopRabbitNode } from 'broker-test-kit';
import { PikaEventBroker } from '../src/index';

interface OutageTask {
  url: string;
  maxBytes: number;
  maxEvents: number;
}

/** What the run measured; sizes in MiB. */
export interface OutageMemoryResult {
  boundMiB: number;
  boundEvents: number;
  /** Pending body bytes and events once the buffer was full. */
  pendingMiB: number;
  pendingEvents: number;
  /** Events published in all, and dropped by drop-oldest. */
  published: number;
  dropped: number;
  baselineRssMiB: number;
  /** RSS growth when the buffer first became full, and the peak growth over the whole outage. */
  rssGrowthAtFullMiB: number;
  peakRssGrowthMiB: number;
  /** Heap growth after a forced GC: at the bound, and after publishing twice as many more. */
  retainedHeapAtFullMiB: number;
  retainedHeapAtEndMiB: number;
  /** Retained heap per pending event beyond its body bytes. */
  overheadBytesPerEvent: number;
  /** Whether pending bytes and events stayed within the bound and retained memory stopped growing. */
  withinBound: boolean;
  /** After the node came back: the events still buffered, how many were confirmed, and how long that took. */
  bufferedAtRestart: number;
  deliveredEvents: number;
  deliverySeconds: number;
}

const MIB = 1024 * 1024;
const here = dirname(fileURLToPath(import.meta.url));

function collect(): { rss: number; heap: number } {
  globalThis.gc?.();
  const memory = process.memoryUsage();
  return { rss: memory.rss, heap: memory.heapUsed };
}

async function runOutage(task: OutageTask): Promise<OutageMemoryResult> {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  const bodies = rasaCorpus(1000).map((event) => JSON.parse(event.body) as EventMessageBody);
  const id = randomUUID();
  const queue = `bench-outage-${id}`;
  const exchange = `bench-outage-${id}`;
  await stopRabbitNode('fault');
  let broker: PikaEventBroker | undefined;
  try {
    const baseline = collect();
    broker = new PikaEventBroker({
      host: task.url,
      queues: [queue],
      exchangeName: exchange,
      startup: 'buffer',
      bufferMaxBytes: task.maxBytes,
      bufferMaxEvents: task.maxEvents,
      bufferOverflow: 'drop-oldest',
    });
    let peakRss = baseline.rss;
    const sample = () => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    };
    let published = 0;
    const publish = (count: number) => {
      for (let i = 0; i < count; i++) {
        broker!.publish(bodies[published % bodies.length]!);
        published++;
        if (published % 500 === 0) sample();
      }
    };
    while (broker.stats().dropped === 0 && broker.stats().pendingBytes + 2048 <= task.maxBytes) publish(100);
    sample();
    const rssAtFull = process.memoryUsage.rss();
    const full = collect();
    const pendingAtFull = broker.stats();
    publish(pendingAtFull.pending * 2);
    sample();
    const end = collect();
    const stats = broker.stats();
    if (broker.isReady()) throw new Error('the broker is connected: the fault node did not stop');

    await startRabbitNode('fault');
    const deliveryStarted = performance.now();
    await broker.flush(300_000);
    const deliverySeconds = (performance.now() - deliveryStarted) / 1000;
    const report = await broker.close();

    const retainedAtFull = full.heap - baseline.heap;
    const retainedAtEnd = end.heap - baseline.heap;
    return {
      boundMiB: task.maxBytes / MIB,
      boundEvents: task.maxEvents,
      pendingMiB: pendingAtFull.pendingBytes / MIB,
      pendingEvents: pendingAtFull.pending,
      published,
      dropped: stats.dropped,
      baselineRssMiB: baseline.rss / MIB,
      rssGrowthAtFullMiB: (rssAtFull - baseline.rss) / MIB,
      peakRssGrowthMiB: (peakRss - baseline.rss) / MIB,
      retainedHeapAtFullMiB: retainedAtFull / MIB,
      retainedHeapAtEndMiB: retainedAtEnd / MIB,
      overheadBytesPerEvent: Math.round(
        (retainedAtFull - pendingAtFull.pendingBytes) / pendingAtFull.pending,
      ),
      withinBound:
        stats.pendingBytes <= task.maxBytes &&
        stats.pending <= task.maxEvents &&
        // Publishing twice the bound more may not keep memory that the first fill did not.
        retainedAtEnd <= retainedAtFull * 1.1 &&
        report.stats.confirmed === stats.pending,
      bufferedAtRestart: stats.pending,
      deliveredEvents: report.stats.confirmed,
      deliverySeconds,
    };
  } finally {
    await startRabbitNode('fault');
    await removeRabbitResources(task.url, { queues: [queue], exchanges: [exchange] });
  }
}

async function main(): Promise<void> {
  const args = benchOptions({ 'max-mib': { type: 'string' } });
  const quick = args.quick === true;
  const maxMiB = positiveInteger('max-mib', args['max-mib'], quick ? 2 : 32);
  const out = resolve(args.out ?? join(here, '..', '.bench', 'outage-memory-bench.json'));
  const fault = await requireRabbitMq('fault');
  const suite = beginSuite('rabbitmq-outage-memory', 'RabbitMQ: memory while the broker is down', quick);
  const task: OutageTask = { url: fault.url, maxBytes: maxMiB * MIB, maxEvents: 1_000_000 };
  suite.settings = { maxBytes: task.maxBytes, maxEvents: task.maxEvents, overflow: 'drop-oldest' };
  console.log(
    `Outage memory: fault node stopped, buffer bound ${maxMiB} MiB (drop-oldest), publishing 3x the bound`,
  );
  const result = await runInChild<OutageMemoryResult>(fileURLToPath(import.meta.url), task, {
    nodeFlags: ['--expose-gc'],
  });
  suite.findings = { outageMemory: result };
  console.log(
    `  bound ${result.boundMiB} MiB: pending ${result.pendingMiB.toFixed(1)} MiB (${result.pendingEvents} events); ` +
      `RSS +${result.rssGrowthAtFullMiB.toFixed(1)} MiB at the bound, peak +${result.peakRssGrowthMiB.toFixed(1)} MiB; ` +
      `heap retained ${result.retainedHeapAtFullMiB.toFixed(1)} MiB at the bound, ${result.retainedHeapAtEndMiB.toFixed(1)} MiB ` +
      `after ${result.published} published (${result.dropped} dropped); ${result.overheadBytesPerEvent} B/event overhead; ` +
      `within bound: ${result.withinBound}; delivered ${result.deliveredEvents} in ${result.deliverySeconds.toFixed(1)} s after the restart`,
  );
  writeSuiteResult(out, suite);
  console.log(`results written to ${out}`);
  if (!result.withinBound) process.exitCode = 1;
}

const outage = childTask<OutageTask>();
if (outage) await reportToParent(() => runOutage(outage));
else await main();
