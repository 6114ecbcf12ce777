/**
 * Publish benchmark: PikaEventBroker against raw amqplib on a ConfirmChannel, same RabbitMQ,
 * same pre-serialised ~400-byte Rasa events, same confirm window, same topology (a fanout
 * exchange bound to a fresh durable queue, persistent messages), in the same process.
 *
 * Both sides are driven the same way: the "application" publishes in chunks of window/4 and
 * keeps at most `window` events unconfirmed; a chunk is done when RabbitMQ confirmed all of it
 * (raw: the confirm callbacks; broker: `flush()`), which is when its latency is taken.
 *
 *   pnpm --filter @broker/pika bench [--quick] [--events N] [--pairs 5] [--window 1000]
 *                                    [--url amqp://...] [--out path.json]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { actionExecuted, botUttered, serialiseEvent, userUttered } from '@broker/core';
import { type ChannelModel, connect } from 'amqplib';
import { PikaEventBroker } from '../src/index';

interface RunResult {
  side: 'pika' | 'amqplib';
  events: number;
  seconds: number;
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  latencyUs: { p50: number; p99: number; max: number };
  publishCallNs: { p50: number; p99: number; max: number };
}

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    events: { type: 'string' },
    pairs: { type: 'string', default: '5' },
    window: { type: 'string', default: '1000' },
    url: { type: 'string', default: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672' },
    out: { type: 'string', default: '.bench/publish-bench.json' },
  },
});

const EVENTS = Number(args.events ?? (args.quick ? 5_000 : 100_000));
const PAIRS = Number(args.quick ? 2 : args.pairs);
const WINDOW = Number(args.window);
const CHUNK = Math.max(1, Math.floor(WINDOW / 4));
const WARMUP = Math.max(1000, Math.floor(EVENTS / 5));

/** A fixed corpus of Rasa 3.x-shaped events (user, action, bot), about 400 bytes each. */
function corpus(): string[] {
  const metadata = { model_id: '5c1f0e0d6a3b4c2e9f8a7b6c5d4e3f21', assistant_id: 'placeholder_default' };
  const bodies: string[] = [];
  for (let i = 0; i < 999; i++) {
    const sender = `conversation-${(i % 97).toString().padStart(4, '0')}`;
    const timestamp = 1716801234.5 + i / 1000;
    const kind = i % 3;
    const event =
      kind === 0
        ? userUttered(`I would like to book a table for ${(i % 8) + 2} people tonight`, {
            timestamp,
            metadata,
            intent: { name: 'book_table', confidence: 0.97 },
            inputChannel: 'rest',
            messageId: randomUUID().replace(/-/g, ''),
          })
        : kind === 1
          ? actionExecuted('utter_ask_time', { timestamp, metadata, policy: 'RulePolicy', confidence: 1 })
          : botUttered('What time would you like the table for? We are open until 23:00 tonight.', {
              timestamp,
              metadata: { utter_action: 'utter_ask_time', ...metadata },
            });
    bodies.push(serialiseEvent(sender, event));
  }
  return bodies;
}

function quantiles(histogram: RecordableHistogram): { p50: number; p99: number; max: number } {
  return { p50: histogram.percentile(50), p99: histogram.percentile(99), max: histogram.max };
}

/** Publishes `count` events in closed loop; `send` publishes one chunk and resolves when it is confirmed. */
async function drive(
  count: number,
  send: (from: number, to: number, publishCall: RecordableHistogram) => Promise<void>,
): Promise<Omit<RunResult, 'side'>> {
  const latency = createHistogram();
  const publishCall = createHistogram();
  const sentAt = new Float64Array(count);
  let next = 0;
  let done = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await new Promise<void>((resolveAll, reject) => {
    const launch = () => {
      while (next < count && next - done < WINDOW) {
        const from = next;
        const to = Math.min(count, from + CHUNK);
        next = to;
        const at = performance.now();
        for (let i = from; i < to; i++) sentAt[i] = at;
        send(from, to, publishCall).then(() => {
          const now = performance.now();
          for (let i = from; i < to; i++) latency.record(Math.max(1, Math.round((now - sentAt[i]!) * 1000)));
          done += to - from;
          if (done === count) resolveAll();
          else launch();
        }, reject);
      }
    };
    launch();
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    events: count,
    seconds,
    eventsPerSecond: count / seconds,
    cpuMicrosPerEvent: (cpu.user + cpu.system) / count,
    latencyUs: quantiles(latency),
    publishCallNs: quantiles(publishCall),
  };
}

async function withTopology<T>(
  admin: ChannelModel,
  run: (exchange: string, queue: string) => Promise<T>,
): Promise<T> {
  const id = randomUUID();
  const exchange = `bench-exchange-${id}`;
  const queue = `bench-queue-${id}`;
  const channel = await admin.createChannel();
  try {
    return await run(exchange, queue);
  } finally {
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.deleteExchange(exchange).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }
}

async function runPika(admin: ChannelModel, bodies: string[], count: number): Promise<RunResult> {
  return withTopology(admin, async (exchangeName, queue) => {
    const broker = new PikaEventBroker({
      host: args.url!,
      queues: [queue],
      exchangeName,
      confirmWindow: WINDOW,
      bufferMaxEvents: Math.max(100_000, WINDOW * 4),
    });
    await broker.connect();
    const result = await drive(count, (from, to, publishCall) => {
      for (let i = from; i < to; i++) {
        const t0 = performance.now();
        broker.publish(bodies[i % bodies.length]!);
        publishCall.record(Math.max(1, Math.round((performance.now() - t0) * 1e6)));
      }
      return broker.flush();
    });
    const report = await broker.close();
    if (report.stats.confirmed !== count)
      throw new Error(`pika confirmed ${report.stats.confirmed} of ${count}`);
    return { side: 'pika' as const, ...result };
  });
}

async function runRaw(admin: ChannelModel, bodies: Buffer[], count: number): Promise<RunResult> {
  return withTopology(admin, async (exchange, queue) => {
    const connection = await connect(args.url!);
    connection.on('error', () => undefined);
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: false });
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, exchange, '');
    let writable = true;
    const drained: (() => void)[] = [];
    channel.on('drain', () => {
      writable = true;
      for (const wake of drained.splice(0)) wake();
    });
    const options = { persistent: true, mandatory: true };
    const result = await drive(count, async (from, to, publishCall) => {
      if (!writable) await new Promise<void>((wake) => drained.push(wake));
      let pending = to - from;
      let failure: unknown;
      await new Promise<void>((resolveChunk, reject) => {
        for (let i = from; i < to; i++) {
          const t0 = performance.now();
          writable =
            channel.publish(exchange, '', bodies[i % bodies.length]!, options, (error: unknown) => {
              if (error) failure ??= error;
              if (--pending === 0) {
                if (failure) reject(failure);
                else resolveChunk();
              }
            }) && writable;
          publishCall.record(Math.max(1, Math.round((performance.now() - t0) * 1e6)));
        }
      });
    });
    await connection.close();
    return { side: 'amqplib' as const, ...result };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function versions(admin: ChannelModel): Record<string, string> {
  const require = createRequire(import.meta.url);
  const amqplibPackage = JSON.parse(
    readFileSync(join(dirname(require.resolve('amqplib')), 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  const server = admin.connection.serverProperties as unknown as { version?: string; product?: string };
  return {
    node: process.version,
    amqplib: amqplibPackage.version,
    rabbitmq: `${server.product ?? 'RabbitMQ'} ${server.version ?? '?'}`,
  };
}

async function main(): Promise<void> {
  const strings = corpus();
  const buffers = strings.map((body) => Buffer.from(body, 'utf8'));
  const meanBytes = Math.round(buffers.reduce((sum, b) => sum + b.length, 0) / buffers.length);
  const admin = await connect(args.url!);
  admin.on('error', () => undefined);
  const meta = versions(admin);
  console.log(
    `publish bench: ${EVENTS} events x ${PAIRS} pairs (+ warm-up ${WARMUP}), ~${meanBytes} B each, confirm window ${WINDOW}, ` +
      `persistent, durable queue; ${meta.rabbitmq}, amqplib ${meta.amqplib}, Node ${meta.node}`,
  );
  await runPika(admin, strings, WARMUP);
  await runRaw(admin, buffers, WARMUP);

  const runs: RunResult[] = [];
  const ratios: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    // Alternate which side goes first, so neither always gets the warmer broker.
    const order = pair % 2 === 0 ? (['pika', 'amqplib'] as const) : (['amqplib', 'pika'] as const);
    const results: Partial<Record<RunResult['side'], RunResult>> = {};
    for (const side of order) {
      results[side] =
        side === 'pika' ? await runPika(admin, strings, EVENTS) : await runRaw(admin, buffers, EVENTS);
      runs.push(results[side]!);
    }
    const ratio = results.pika!.eventsPerSecond / results.amqplib!.eventsPerSecond;
    ratios.push(ratio);
    console.log(
      `pair ${pair + 1}: pika ${Math.round(results.pika!.eventsPerSecond)} ev/s, amqplib ${Math.round(results.amqplib!.eventsPerSecond)} ev/s, ratio ${ratio.toFixed(3)}`,
    );
  }
  await admin.close();

  const summary = (side: RunResult['side']) => {
    const mine = runs.filter((r) => r.side === side);
    const rates = mine.map((r) => r.eventsPerSecond);
    return {
      eventsPerSecond: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
      latencyUs: {
        p50: median(mine.map((r) => r.latencyUs.p50)),
        p99: median(mine.map((r) => r.latencyUs.p99)),
      },
      publishCallNs: {
        p50: median(mine.map((r) => r.publishCallNs.p50)),
        p99: median(mine.map((r) => r.publishCallNs.p99)),
      },
      cpuMicrosPerEvent: median(mine.map((r) => r.cpuMicrosPerEvent)),
    };
  };
  const result = {
    benchmark: '@broker/pika publish',
    date: new Date().toISOString(),
    settings: {
      events: EVENTS,
      pairs: PAIRS,
      warmup: WARMUP,
      window: WINDOW,
      chunk: CHUNK,
      meanBytes,
      quick: args.quick,
    },
    versions: meta,
    pika: summary('pika'),
    amqplib: summary('amqplib'),
    ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
    runs,
  };
  const line = (side: 'pika' | 'amqplib') => {
    const s = result[side];
    return (
      `${side.padEnd(8)} ${Math.round(s.eventsPerSecond.median)} ev/s (min ${Math.round(s.eventsPerSecond.min)}, max ${Math.round(s.eventsPerSecond.max)}); ` +
      `confirm latency p50 ${(s.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(s.latencyUs.p99 / 1000).toFixed(2)} ms; ` +
      `publish() p50 ${(s.publishCallNs.p50 / 1000).toFixed(1)} us, p99 ${(s.publishCallNs.p99 / 1000).toFixed(1)} us; ` +
      `${s.cpuMicrosPerEvent.toFixed(1)} CPU-us/event`
    );
  };
  console.log(line('pika'));
  console.log(line('amqplib'));
  console.log(
    `ratio pika/amqplib: median ${result.ratio.median.toFixed(3)} (min ${result.ratio.min.toFixed(3)}, max ${result.ratio.max.toFixed(3)})`,
  );
  const out = resolve(args.out!);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results written to ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  // An open connection would keep the process alive.
  process.exit(1);
});
