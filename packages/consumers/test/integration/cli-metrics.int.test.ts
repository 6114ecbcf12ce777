// `broker consume --metrics-port` and `broker export --metrics-port`, scraped over HTTP while
// they work: the counters match what was consumed, the lag falls to 0, malformed messages are
// counted as dead-lettered, and /readyz turns unready while the broker (through a TCP proxy
// that is stopped and started again) or the PostgreSQL sink (the same) is away, ready after.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { DATABASE_URL, requirePostgres, sqlAt, uniqueSchema } from '../helpers/database';
import { metricsUrl, type PrometheusText, readiness, scrape } from '../helpers/metrics-endpoint';
import { publishPaced } from '../helpers/paced-publisher';
import { proxiedUrl } from '../helpers/proxied-url';
import { type CliRun, consumeIntoPostgres, startCli } from '../helpers/run-cli';
import {
  endpointsFile,
  kafkaEndpoint,
  pikaEndpoint,
  publishRaw,
  queueDepth,
  rabbitNames,
  requireKafka,
  requireRabbitMq,
} from '../helpers/services';
import { TestResources } from '../helpers/test-resources';
import { waitFor, wireBody } from '../helpers/wire';

let url: string;
const work = mkdtempSync(join(tmpdir(), 'consumers-metrics-'));
const made = new TestResources();
const { rabbits, topics, schemas, proxies, runs } = made;

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  await requireKafka('single');
  await requirePostgres();
});

afterAll(async () => {
  await made.remove(url);
});

function rabbit(brokerUrl = url) {
  const names = rabbitNames();
  rabbits.push(names);
  return { names, endpoints: endpointsFile(pikaEndpoint(brokerUrl, names)) };
}

function start(args: string[]): CliRun {
  const run = startCli([...args, '--metrics-port', '0', '--json']);
  runs.push(run);
  // What the command logged tells why a wait timed out.
  onTestFailed(() => console.info(`broker ${args[0]} logged:\n${run.output().stderr}`));
  return run;
}

const handled = (scraped: PrometheusText) => scraped.value('broker_consumer_handled_total') ?? 0;
const lag = (scraped: PrometheusText) => scraped.value('broker_consumer_lag');

/** `broker consume` into a JSON-lines file of its own, serving metrics: the run and its metrics URL. */
async function consumeToFile(endpoints: string, name: string, ...extra: string[]) {
  const run = start([
    'consume',
    '-e',
    endpoints,
    ...extra,
    '--sink',
    'jsonl',
    '-o',
    join(work, `${name}.jsonl`),
  ]);
  return { run, base: await metricsUrl(run) };
}

describe('broker consume --metrics-port', () => {
  it('RabbitMQ: /metrics counts every event handled and the malformed ones dead-lettered; the lag falls to 0', async () => {
    const total = 300;
    const poison = ['not json', '{"event":"user"}', '[1,2,3]'];
    const { names, endpoints } = rabbit();
    await publishRaw(url, names.queue, [
      ...Array.from({ length: total }, (_, i) => wireBody(`metrics-${i % 10}`)),
      ...poison,
    ]);
    const { run, base } = await consumeToFile(endpoints, names.queue);
    let last!: PrometheusText;
    await waitFor(
      `${total} events handled and the lag 0 in /metrics`,
      async () => {
        last = await scrape(base);
        return handled(last) === total && lag(last) === 0;
      },
      40_000,
    );
    expect(last.value('messaging_client_consumed_messages_total', { messaging_system: 'rabbitmq' })).toBe(
      total + poison.length,
    );
    expect(
      last.value('broker_consumer_dead_lettered_total', { broker_dead_letter_reason: 'malformed' }),
    ).toBe(poison.length);
    expect(last.value('broker_consumer_dead_lettered_total', { broker_dead_letter_reason: 'failed' })).toBe(
      0,
    );
    expect(last.value('broker_consumer_lag', { messaging_destination_name: names.queue })).toBe(0);
    expect(last.value('broker_consumer_in_flight')).toBe(0);
    expect(last.value('broker_consumer_paused')).toBe(0);
    // The handler and sink time of every message, by what became of it.
    expect(
      last.value('messaging_process_duration_count', {
        messaging_system: 'rabbitmq',
        broker_consume_result: 'handled',
      }),
    ).toBe(total);
    expect(last.value('messaging_process_duration_count', { broker_consume_result: 'malformed' })).toBe(
      poison.length,
    );
    expect(await queueDepth(url, `${names.queue}.dead-letter`)).toBe(poison.length);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await readiness(base)).toMatchObject({ status: 200, ready: true });
    run.interrupt();
    expect((await run.done).code).toBe(0);
  });

  it('Kafka: /metrics counts the N events consumed and handled; the lag of each partition falls to 0', async () => {
    const total = 200;
    const topic = `consumers-metrics-${randomUUID().slice(0, 8)}`;
    topics.push(topic, `${topic}.dead-letter`);
    const endpoints = endpointsFile(kafkaEndpoint(topic));
    await publishPaced(
      endpoints,
      Array.from({ length: total }, (_, i) => wireBody(`metrics-${i % 10}`)),
      10_000,
    );
    const group = `consumers-metrics-${randomUUID()}`;
    const { run, base } = await consumeToFile(endpoints, topic, '--from-beginning', '--group', group);
    let last!: PrometheusText;
    await waitFor(
      `${total} events handled and the lag 0 in /metrics`,
      async () => {
        last = await scrape(base);
        return handled(last) === total && lag(last) === 0;
      },
      60_000,
    );
    expect(last.value('messaging_client_consumed_messages_total', { messaging_system: 'kafka' })).toBe(total);
    expect(last.text).toMatch(
      new RegExp(
        `broker_consumer_lag\\{[^}]*messaging_destination_name="${topic}",messaging_destination_partition_id="0"`,
      ),
    );
    run.interrupt();
    expect((await run.done).code).toBe(0);
  });

  it('RabbitMQ: /readyz is 503 while the broker is away (connection dropped, then refused) and 200 again once it is back', async () => {
    const { proxy, restart, url: throughProxy } = await proxiedUrl(url, 5672, proxies);
    const { names, endpoints } = rabbit(throughProxy);
    const { run, base } = await consumeToFile(endpoints, names.queue);
    await waitFor('ready', async () => (await readiness(base)).status === 200);
    await proxy.close();
    await waitFor('unready', async () => (await readiness(base)).status === 503);
    const away = await readiness(base);
    expect(away.ready).toBe(false);
    expect(away.checks.find((check) => check.name === 'broker')).toMatchObject({ ok: false });
    expect(away.checks.find((check) => check.name === 'sink')).toMatchObject({ ok: true });
    // The process is alive and still serves its metrics meanwhile.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(handled(await scrape(base))).toBe(0);
    await restart();
    await waitFor('ready again', async () => (await readiness(base)).status === 200, 30_000);
    await publishRaw(url, names.queue, [wireBody('metrics-after-outage')]);
    await waitFor('the event after the outage handled', async () => handled(await scrape(base)) === 1);
    run.interrupt();
    expect((await run.done).code).toBe(0);
  });

  it('RabbitMQ into PostgreSQL: /readyz is 503 while the sink is away, the lag grows meanwhile; ready again and the lag back to 0 after', async () => {
    const { names, endpoints } = rabbit();
    const { proxy, restart, url: throughProxy } = await proxiedUrl(DATABASE_URL, 5432, proxies);
    const store = { databaseUrl: throughProxy, schema: uniqueSchema() };
    schemas.push(store.schema);
    // A window of 32 (not the sink's 2000): what does not fit waits on the queue, where the lag counts it.
    const run = start(consumeIntoPostgres(endpoints, store, '--concurrency', '32'));
    const base = await metricsUrl(run);
    await waitFor('ready', async () => (await readiness(base)).status === 200);
    await publishRaw(
      url,
      names.queue,
      Array.from({ length: 10 }, (_, i) => wireBody(`sink-${i % 3}`)),
    );
    await waitFor('10 handled', async () => handled(await scrape(base)) === 10);
    await proxy.close();
    // More than the 32 in flight: the rest wait on the queue while consuming is paused.
    await publishRaw(
      url,
      names.queue,
      Array.from({ length: 100 }, (_, i) => wireBody(`sink-${i % 3}`)),
    );
    await waitFor('unready', async () => (await readiness(base)).status === 503);
    const away = await readiness(base);
    expect(away.checks.find((check) => check.name === 'sink')).toMatchObject({ ok: false });
    expect(away.checks.find((check) => check.name === 'broker')).toMatchObject({ ok: true });
    expect((await scrape(base)).value('broker_consumer_paused')).toBe(1);
    await waitFor('the lag shows the waiting events', async () => (lag(await scrape(base)) ?? 0) > 0);
    await restart();
    await waitFor('ready again', async () => (await readiness(base)).status === 200, 30_000);
    let last!: PrometheusText;
    await waitFor(
      'all 110 handled and the lag 0',
      async () => {
        last = await scrape(base);
        return handled(last) === 110 && lag(last) === 0;
      },
      40_000,
    );
    expect(last.value('broker_consumer_paused')).toBe(0);
    expect(last.value('broker_consumer_outages_total')).toBeGreaterThanOrEqual(1);
    expect(last.value('broker_consumer_dead_lettered_total')).toBe(0);
    const [row] = await sqlAt<{ rows: string }>(
      DATABASE_URL,
      `SELECT count(*) AS rows FROM "${store.schema}".events`,
    );
    expect(Number(row?.rows)).toBe(110);
    run.interrupt();
    expect((await run.done).code).toBe(0);
  });
});

describe('broker export --metrics-port', () => {
  it('serves the progress and the publisher metrics while it exports, ready while the broker is connected', async () => {
    const total = 40;
    const { proxy, url: throughProxy } = await proxiedUrl(url, 5672, proxies);
    const { names, endpoints } = rabbit(throughProxy);
    const dump = join(work, `dump-${randomUUID().slice(0, 8)}.json`);
    writeFileSync(
      dump,
      JSON.stringify({
        sender_id: 'metrics-export',
        events: Array.from({ length: total }, (_, i) => ({ event: 'restart', timestamp: 1_700_000_000 + i })),
      }),
    );
    // Each confirmation takes a while: the export lasts long enough to be watched.
    proxy.slow(100);
    const run = start(['export', '-e', endpoints, '--tracker-dump', dump, '--chunk-size', '1']);
    const base = await metricsUrl(run);
    await waitFor('ready', async () => (await readiness(base)).status === 200, 30_000);
    let first!: PrometheusText;
    await waitFor('the first events exported', async () => {
      first = await scrape(base);
      return (first.value('broker_export_events_exported_total') ?? 0) > 0;
    });
    expect(first.value('broker_export_events_total')).toBe(total);
    expect(first.value('broker_publisher_accepted_total', { messaging_system: 'rabbitmq' })).toBeGreaterThan(
      0,
    );
    expect(first.value('broker_publisher_connection_state', { broker_state: 'ready' })).toBe(1);
    let later!: PrometheusText;
    await waitFor('more events exported', async () => {
      later = await scrape(base);
      return (
        (later.value('broker_export_events_exported_total') ?? 0) >
        (first.value('broker_export_events_exported_total') ?? 0)
      );
    });
    expect(later.value('messaging_client_sent_messages_total')).toBeGreaterThan(0);
    // The confirm latency of each confirmed event.
    expect(
      later.value('messaging_client_operation_duration_count', {
        messaging_system: 'rabbitmq',
        messaging_destination_name: names.exchange,
      }),
    ).toBe(later.value('messaging_client_sent_messages_total'));
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(await queueDepth(url, names.queue)).toBe(total);
  });
});
