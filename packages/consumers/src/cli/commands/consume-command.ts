import { ConfigError, loadEndpoints } from '@broker/core';
import { Command, Option } from 'commander';
import { EventConsumer, openMessageSource } from '../../consumer/event-consumer';
import { observeConsumerMetrics } from '../../metrics/consumer-metrics';
import type { EventSink } from '../../sinks/event-sink';
import { JsonLinesFileSink } from '../../sinks/jsonl-file-sink';
import { PostgresSink } from '../../sinks/postgres/postgres-sink';
import { type OutputFormat, StdoutSink } from '../../sinks/stdout-sink';
import { createCliLogger, LOG_LEVELS, type LogLevel } from '../cli-logger';
import { addMetricsOptions, type MetricsCommandOptions, startCommandMetrics } from '../command-metrics';
import { brokerLocation, connectTimeoutOption, consumingWithin } from '../connect-timeout';
import { ConsumeReadiness } from '../consume-readiness';
import { EXIT, UsageError } from '../exit-codes';
import { choice, duration, list, wholeNumber } from '../option-parsers';
import { runCommand } from '../run-command';
import { abortOnSignals, signalName } from '../shutdown-signals';

export interface ConsumeCommandOptions extends MetricsCommandOptions {
  endpoints: string;
  sink: 'stdout' | 'jsonl' | 'postgres';
  format?: OutputFormat;
  output?: string;
  databaseUrl?: string;
  schema: string;
  type?: string[];
  sender?: string[];
  skipUnknown?: boolean;
  fromBeginning?: boolean;
  group?: string;
  queue?: string;
  deadLetter?: string;
  connectTimeout?: number;
  concurrency?: number;
  maxRetries: number;
  maxOutage?: number;
  maxEvents?: number;
  json?: boolean;
  logLevel: LogLevel;
}

async function openSink(
  options: ConsumeCommandOptions,
  logger: ReturnType<typeof createCliLogger>,
): Promise<EventSink> {
  if (options.sink !== 'stdout' && options.format) {
    throw new UsageError(
      `--format only applies to --sink stdout (the ${options.sink} sink stores wire bodies).`,
    );
  }
  if (options.sink === 'jsonl') {
    if (!options.output)
      throw new UsageError('--sink jsonl needs --output <file> (the JSON-lines file to append to).');
    return JsonLinesFileSink.open({ path: options.output });
  }
  if (options.output)
    throw new UsageError(`--output only applies to --sink jsonl, not --sink ${options.sink}.`);
  if (options.sink === 'postgres') {
    return PostgresSink.open({
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      schema: options.schema,
      logger,
    });
  }
  return new StdoutSink(options.format ? { format: options.format } : {});
}

export async function runConsumeCommand(options: ConsumeCommandOptions): Promise<number> {
  const logger = createCliLogger({ level: options.logLevel, json: options.json === true });
  const section = loadEndpoints(options.endpoints, { logger }).eventBroker;
  if (!section) {
    throw new ConfigError(
      `${options.endpoints} has no event_broker section: there is nothing to consume. Add one (type: pika or kafka, url, queues or topic).`,
      { key: 'event_broker', file: options.endpoints },
    );
  }
  let consumer: EventConsumer | undefined;
  const readiness = new ConsumeReadiness(options.sink);
  const metrics = await startCommandMetrics(options, () => readiness.checks(consumer?.stats()), logger);
  const sink = await openSink(options, logger).catch(async (error: unknown) => {
    await metrics?.close();
    throw error;
  });
  const signals = abortOnSignals({
    onFirst: (signal) =>
      logger.info(
        `${signal}: stopping (finishing events in flight; ${signalName(signal)} again to exit at once without waiting)`,
      ),
    onRepeat: (signal, afterMs) =>
      logger.info(
        `${signal} again ${afterMs} ms after the first: taken as the same one (npm and other wrappers pass it on); still finishing events in flight`,
      ),
    ...(options.json ? { report: (message: string) => logger.warn(message) } : {}),
    onForcedExit: () => {
      const stats = consumer?.stats();
      if (options.json) {
        const stream = options.sink === 'stdout' ? process.stderr : process.stdout;
        stream.write(
          `${JSON.stringify({ command: 'consume', ok: false, reason: 'forced-exit', ...stats })}\n`,
        );
      }
      if (!stats) return 'nothing was consumed yet';
      const left = stats.inFlight;
      return left === 0
        ? `no events were in flight (${stats.handled} handled and acknowledged)`
        : `${left} event(s) in flight were not acknowledged: the broker delivers them again (the ${options.sink} sink may have ${options.sink === 'postgres' ? 'stored some of them already; it skips the copies' : 'written some of them already'}); ${stats.handled} handled and acknowledged before`;
    },
  });
  try {
    const opened = readiness.watch(
      await openMessageSource(section, {
        logger,
        ...(options.queue ? { queue: options.queue } : {}),
        ...(options.group ? { groupId: options.group } : {}),
        ...(options.fromBeginning ? { fromBeginning: true } : {}),
        ...(options.deadLetter ? { deadLetter: options.deadLetter } : {}),
      }),
    );
    const source =
      options.connectTimeout === undefined
        ? opened
        : consumingWithin(opened, options.connectTimeout, brokerLocation(section));
    consumer = new EventConsumer(
      source,
      {
        sink,
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        retry: { maxRetries: options.maxRetries },
        ...(options.maxOutage !== undefined ? { maxOutageMs: options.maxOutage } : {}),
        filter: {
          ...(options.type ? { types: options.type } : {}),
          ...(options.sender ? { senders: options.sender } : {}),
          unknownEvents: options.skipUnknown ? 'skip' : 'handle',
        },
        ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}),
        signal: signals.signal,
        logger,
      },
      true,
    );
    if (metrics) observeConsumerMetrics(metrics.meter, consumer, { logger });
    // The reader of our output went away (`| head`): stop; what was not written stays with the broker.
    const onOutputError = (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') logger.error({ err: error }, `cannot write to stdout: ${error.message}`);
      consumer?.stop();
    };
    process.stdout.on('error', onOutputError);
    const report = await consumer.run();
    process.stdout.off('error', onOutputError);
    await sink.close();
    const s = report.stats;
    // Stopped by an outage, or while one lasted: events were left unstored, which is not "ok".
    const outage = report.reason === 'outage' || s.paused;
    const exitCode = outage ? EXIT.connection : EXIT.ok;
    if (outage) {
      logger.error(
        `the ${options.sink} sink was still unavailable when consuming stopped (${(s.outageMs / 1000).toFixed(1)} s): ${s.unsettled} event(s) left with the broker, unacknowledged, to be delivered again; none lost, none dead-lettered for the outage`,
      );
    }
    const summary = { command: 'consume', ok: !outage, reason: report.reason, ...s };
    if (options.json) {
      // stdout carries the events with the stdout sink; the summary goes to stderr then.
      const stream = options.sink === 'stdout' ? process.stderr : process.stdout;
      stream.write(`${JSON.stringify(summary)}\n`);
    } else {
      const outages = s.outages
        ? `, ${s.outages} outage(s) of the ${options.sink} sink (${(s.outageMs / 1000).toFixed(1)} s paused)`
        : '';
      logger.info(
        `${s.handled} handled, ${s.filtered} filtered, ${s.malformed} malformed, ${s.deadLettered} dead-lettered, ${s.retried} retries, ${s.duplicates} duplicates skipped${s.unsettled ? `, ${s.unsettled} left with the broker` : ''}${outages}`,
      );
    }
    if (s.unsettled > 0) {
      // Events left to the broker are released by closing the connection; a transport still
      // lingering over them must not keep the command running.
      setTimeout(() => process.exit(exitCode), 1000).unref();
    }
    return exitCode;
  } finally {
    signals.dispose();
    await sink.close().catch(() => {});
    await metrics?.close();
  }
}

export function consumeCommand(): Command {
  const command = new Command('consume')
    .description(
      'Consume the events a Rasa server (or `broker publish`) streams to the broker in endpoints.yml, and print or store them.',
    )
    .requiredOption('-e, --endpoints <file>', 'endpoints.yml whose event_broker to consume from')
    .addOption(
      new Option('--sink <sink>', 'where events go')
        .choices(['stdout', 'jsonl', 'postgres'])
        .default('stdout'),
    )
    .addOption(
      new Option(
        '--format <format>',
        'stdout sink: transcript (readable) or json (wire bodies as received); default transcript on a terminal, json otherwise',
      ).argParser(choice('--format', ['transcript', 'json'] as const)),
    )
    .option('-o, --output <file>', 'jsonl sink: the JSON-lines file to append to')
    .option('--database-url <url>', 'postgres sink: postgres://user@host:5432/db (default: $DATABASE_URL)')
    .option('--schema <name>', 'postgres sink: schema for the conversations and events tables', 'public')
    .option('--type <types>', 'only these event types, comma-separated (user,bot,action,...)', list)
    .option('--sender <ids>', 'only these conversations (sender ids), comma-separated', list)
    .option('--skip-unknown', 'skip event types this version does not know instead of passing them on')
    .option(
      '--from-beginning',
      'Kafka: start from the earliest offset when the group has none (default: latest); file: from the start',
    )
    .option('--group <id>', 'Kafka consumer group (default broker-consumers)')
    .option('--queue <name>', 'RabbitMQ queue to consume (default: the first of `queues`)')
    .option('--dead-letter <name>', 'dead-letter queue or topic (default <queue or topic>.dead-letter)')
    .addOption(connectTimeoutOption())
    .option(
      '--concurrency <n>',
      'events in flight across conversations (prefetch; default 32, 2000 with --sink postgres)',
      wholeNumber('--concurrency', 1, 10_000),
    )
    .option(
      '--max-retries <n>',
      'retries of an event the sink refuses before dead-lettering it (an unreachable sink is waited for instead)',
      wholeNumber('--max-retries', 0, 1000),
      3,
    )
    .option(
      '--max-outage <duration>',
      'stop (exit 4) when the sink stays unreachable this long, e.g. 30s, 5m, 1500ms; the events not stored stay with the broker (default: wait for ever)',
      duration('--max-outage'),
    )
    .option(
      '--max-events <n>',
      'stop after taking this many messages, malformed and filtered ones included (the rest stay with the broker)',
      wholeNumber('--max-events', 1),
    )
    .option('--json', 'machine output: JSON log lines on stderr and a JSON summary')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(LOG_LEVELS).default('info'));
  return addMetricsOptions(command).action(runCommand(runConsumeCommand));
}
