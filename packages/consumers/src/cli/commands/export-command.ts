import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type BrokerError, ConfigError, loadEndpoints } from '@broker/core';
import { Command, Option } from 'commander';
import { type ExportableEvent, ExportInterruptedError, exportEvents } from '../../export/export-events';
import { trackerDumpEvents } from '../../export/tracker-dump-events';
import { PostgresConversationStore } from '../../sinks/postgres/postgres-conversation-store';
import { createCliLogger, LOG_LEVELS, type LogLevel } from '../cli-logger';
import { addMetricsOptions, type MetricsCommandOptions, startCommandMetrics } from '../command-metrics';
import { connectTimeoutOption, DEFAULT_CONNECT_TIMEOUT_MS, openBroker } from '../connect-timeout';
import { deliveryFailureExitCode, EXIT, UsageError } from '../exit-codes';
import { ExportMonitor } from '../export-monitor';
import { list, seconds, wholeNumber } from '../option-parsers';
import { ProgressBar } from '../progress-bar';
import { rememberTypedOptions, repeatCommandLine } from '../repeat-command-line';
import { runCommand } from '../run-command';
import { abortOnSignals, signalName } from '../shutdown-signals';

export interface ExportCommandOptions extends MetricsCommandOptions {
  endpoints: string;
  databaseUrl?: string;
  schema: string;
  trackerDump?: string;
  minimumTimestamp?: number;
  maximumTimestamp?: number;
  conversationIds?: string[];
  offsetTimestampsBySeconds?: number;
  resumeFile?: string;
  connectTimeout: number;
  chunkSize: number;
  timeout: number;
  json?: boolean;
  logLevel: LogLevel;
}

interface ResumeState {
  processId: string;
  minimumTimestamp: number;
  published: number;
}

function readResumeState(path: string): ResumeState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as ResumeState;
    if (typeof state.processId !== 'string' || typeof state.minimumTimestamp !== 'number')
      throw new Error('fields missing');
    return state;
  } catch (error) {
    throw new ConfigError(
      `The resume file ${path} is not one \`broker export\` wrote (${(error as Error).message}); delete it to start over.`,
      { key: 'resume-file', cause: error },
    );
  }
}

async function openEvents(
  options: ExportCommandOptions,
  filter: { conversationIds?: string[]; minimumTimestamp?: number; maximumTimestamp?: number },
): Promise<{
  events: AsyncIterable<ExportableEvent> | ExportableEvent[];
  total: number;
  close: () => Promise<void>;
}> {
  if (options.trackerDump) {
    if (options.databaseUrl) throw new UsageError('Give either --tracker-dump or --database-url, not both.');
    const events = trackerDumpEvents(options.trackerDump, filter);
    return { events, total: events.length, close: async () => {} };
  }
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new UsageError(
      'Nothing to export from: pass --database-url (the PostgreSQL sink of `broker consume`), set DATABASE_URL, or pass --tracker-dump <file>.',
    );
  }
  const store = await PostgresConversationStore.open({ databaseUrl, schema: options.schema });
  return { events: store.events(filter), total: await store.count(filter), close: () => store.close() };
}

export async function runExportCommand(options: ExportCommandOptions, cli: Command): Promise<number> {
  const monitor = new ExportMonitor();
  const logger = createCliLogger({ level: options.logLevel, json: options.json === true });
  const metrics = await startCommandMetrics(options, () => monitor.checks(), logger);
  if (metrics) monitor.report(metrics.meter);
  try {
    return await exportWith(options, cli, monitor);
  } finally {
    await metrics?.close();
  }
}

async function exportWith(
  options: ExportCommandOptions,
  cli: Command,
  monitor: ExportMonitor,
): Promise<number> {
  const bar =
    process.stderr.isTTY && !options.json
      ? new ProgressBar(process.stderr, 'exporting [{bar}] {value}/{total} events | {eta_formatted} left')
      : undefined;
  const logger = createCliLogger({
    level: options.logLevel,
    json: options.json === true,
    ...(bar ? { stream: bar.messages } : {}),
  });
  /** The command that continues the export from `minimumTimestamp`, with every other option given. */
  const continuationCommand = (minimumTimestamp: number) =>
    repeatCommandLine(cli, { minimumTimestamp: String(minimumTimestamp) });
  const section = loadEndpoints(options.endpoints, { logger }).eventBroker;
  if (!section) {
    throw new ConfigError(
      `${options.endpoints} has no event_broker section: there is nowhere to export to.`,
      {
        key: 'event_broker',
        file: options.endpoints,
      },
    );
  }
  if (
    options.minimumTimestamp !== undefined &&
    options.maximumTimestamp !== undefined &&
    options.minimumTimestamp >= options.maximumTimestamp
  ) {
    throw new UsageError('--minimum-timestamp must be smaller than --maximum-timestamp.');
  }
  const resume = options.resumeFile ? readResumeState(options.resumeFile) : undefined;
  const minimumTimestamp =
    resume !== undefined
      ? Math.max(resume.minimumTimestamp, options.minimumTimestamp ?? -Infinity)
      : options.minimumTimestamp;
  if (resume) logger.info(`resuming export ${resume.processId} from timestamp ${minimumTimestamp}`);
  const filter = {
    ...(options.conversationIds?.length ? { conversationIds: options.conversationIds } : {}),
    ...(minimumTimestamp !== undefined ? { minimumTimestamp } : {}),
    ...(options.maximumTimestamp !== undefined ? { maximumTimestamp: options.maximumTimestamp } : {}),
  };
  const source = await openEvents(options, filter);
  const broker = await openBroker(section, { logger, connectTimeoutMs: options.connectTimeout }).catch(
    async (error: unknown) => {
      await source.close();
      throw error;
    },
  );
  monitor.started(broker, section.type, source.total);
  if (source.total > 0) bar?.start(source.total);
  let lastError: BrokerError | undefined;
  broker.on('error', (error) => {
    lastError = error;
  });
  /** What the broker says of this run: every event handed to it is confirmed or not. */
  const delivery = () => {
    const { published, confirmed } = broker.stats();
    return {
      confirmed,
      undelivered: published - confirmed,
      ...(lastError ? { lastError: lastError.message } : {}),
    };
  };
  let position:
    | { processId: string; published: number; resumeFromTimestamp: number; unconfirmed: number }
    | undefined;
  const writeResumeFile = (state: ResumeState) => {
    if (options.resumeFile) writeFileSync(options.resumeFile, `${JSON.stringify(state, null, 2)}\n`);
  };
  /** With --json, the summary of an export stopped at once by a second signal. */
  const writeForcedSummary = (message: string, fields: Record<string, unknown>) => {
    if (!options.json) return;
    process.stdout.write(
      `${JSON.stringify({
        command: 'export',
        ok: false,
        forced: true,
        error: { code: 'BROKER_DELIVERY_FAILED', message },
        ...fields,
      })}\n`,
    );
  };
  const signals = abortOnSignals({
    onFirst: (signal) =>
      logger.info(
        `${signal}: stopping the export after the current chunk (${signalName(signal)} again to stop at once)`,
      ),
    onRepeat: (signal, afterMs) =>
      logger.info(
        `${signal} again ${afterMs} ms after the first: taken as the same one (npm and other wrappers pass it on); still stopping after the current chunk`,
      ),
    ...(options.json ? { report: (message: string) => logger.warn(message) } : {}),
    onForcedExit: () => {
      bar?.stop();
      if (!position) {
        writeForcedSummary('Stopped at once before anything was exported.', { published: 0 });
        return 'nothing was exported yet';
      }
      const command = continuationCommand(position.resumeFromTimestamp);
      const published = (resume?.published ?? 0) + position.published;
      writeResumeFile({
        processId: position.processId,
        minimumTimestamp: position.resumeFromTimestamp,
        published,
      });
      const unconfirmed =
        position.unconfirmed > 0
          ? `${position.unconfirmed} event(s) handed to the broker were not confirmed (they may have arrived or not); `
          : '';
      const message = `${unconfirmed}${position.published} event(s) were exported and confirmed before.`;
      writeForcedSummary(`Stopped at once: ${message}`, {
        published: position.published,
        unconfirmed: position.unconfirmed,
        processId: position.processId,
        resume: { minimumTimestamp: position.resumeFromTimestamp, command },
      });
      return `${message}\nTo continue where the export stopped, run:\n  ${command}`;
    },
  });
  try {
    const report = await exportEvents(broker, {
      events: source.events,
      chunkSize: options.chunkSize,
      confirmTimeoutMs: options.timeout,
      signal: signals.signal,
      ...(resume ? { processId: resume.processId } : {}),
      ...(options.offsetTimestampsBySeconds !== undefined
        ? { offsetTimestampsBySeconds: options.offsetTimestampsBySeconds }
        : {}),
      onProgress: (confirmed) => {
        bar?.update(confirmed);
        monitor.progress(confirmed);
      },
      onPosition: (now) => {
        position = {
          ...now,
          resumeFromTimestamp: now.resumeFromTimestamp ?? minimumTimestamp ?? 0,
        };
      },
    });
    bar?.stop();
    if (options.resumeFile) rmSync(options.resumeFile, { force: true });
    const outcome = delivery();
    const summary = { command: 'export', ok: outcome.undelivered === 0, ...report, ...outcome };
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      logger.info(
        report.published === 0
          ? 'no events to export in the given time range and conversations'
          : `${report.published} event(s) of ${report.conversations} conversation(s) exported with ${'rasa-export-process-id'} ${report.processId}`,
      );
    }
    return summary.ok ? EXIT.ok : deliveryFailureExitCode(outcome.confirmed, lastError);
  } catch (error) {
    bar?.stop();
    if (!ExportInterruptedError.isInstance(error)) throw error;
    const command = continuationCommand(error.resumeFromTimestamp);
    writeResumeFile({
      processId: error.processId,
      minimumTimestamp: error.resumeFromTimestamp,
      published: (resume?.published ?? 0) + error.published,
    });
    const outcome = delivery();
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({
          command: 'export',
          ok: false,
          error: { code: error.code, message: error.message },
          published: error.published,
          ...outcome,
          processId: error.processId,
          resume: { minimumTimestamp: error.resumeFromTimestamp, command },
        })}\n`,
      );
    } else {
      const reason = lastError ? ` Last broker error: ${lastError.message}` : '';
      process.stderr.write(
        `broker: error: ${error.message}${reason}\nTo continue where the export stopped, run:\n  ${command}\n`,
      );
    }
    if (error.interrupted) return EXIT.interrupted;
    return deliveryFailureExitCode(outcome.confirmed, lastError);
  } finally {
    signals.dispose();
    await broker.close({ timeout: 1000 }).catch(() => {});
    await source.close();
  }
}

export function exportCommand(): Command {
  const command = new Command('export')
    .description(
      "Rasa's `rasa export` for our stores: replay stored conversations to the broker in endpoints.yml, with the rasa-export-process-id header.",
    )
    .requiredOption('-e, --endpoints <file>', 'endpoints.yml whose event_broker to publish to')
    .option('--database-url <url>', 'read the PostgreSQL sink of `broker consume` (default: $DATABASE_URL)')
    .option('--schema <name>', 'schema of the conversation store', 'public')
    .option('--tracker-dump <file>', 'read a Rasa tracker dump (or JSON lines of them) instead of PostgreSQL')
    .option(
      '--minimum-timestamp <seconds>',
      'only events with timestamp >= this',
      seconds('--minimum-timestamp'),
    )
    .option(
      '--maximum-timestamp <seconds>',
      'only events with timestamp < this',
      seconds('--maximum-timestamp'),
    )
    .option('--conversation-ids <ids>', 'only these conversations, comma-separated', list)
    .option(
      '--offset-timestamps-by-seconds <seconds>',
      'add this to every published timestamp',
      seconds('--offset-timestamps-by-seconds'),
    )
    .option(
      '--resume-file <file>',
      'remember where a failed export stopped, and continue from there on the next run',
    )
    .addOption(connectTimeoutOption(DEFAULT_CONNECT_TIMEOUT_MS))
    .option(
      '--chunk-size <n>',
      'events published between waits for confirmation',
      wholeNumber('--chunk-size', 1),
      500,
    )
    .option(
      '--timeout <ms>',
      'how long to wait for the broker to confirm a chunk',
      wholeNumber('--timeout', 1),
      30_000,
    )
    .option('--json', 'machine output: a JSON summary on stdout, JSON log lines on stderr')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(LOG_LEVELS).default('info'));
  addMetricsOptions(command).action(runCommand(runExportCommand));
  // The continuation command repeats the options as they were typed.
  return rememberTypedOptions(command);
}
