import { Command, Option } from 'commander';
import { startView } from '../../view/start-view';
import { createCliLogger, LOG_LEVELS, type LogLevel } from '../cli-logger';
import { EXIT, UsageError } from '../exit-codes';
import { wholeNumber } from '../option-parsers';
import { runCommand } from '../run-command';
import { abortOnSignals } from '../shutdown-signals';

export interface ViewCommandOptions {
  endpoints: string;
  /** A URL, or true for `--database-url` without one: `$DATABASE_URL`. */
  databaseUrl?: string | true;
  schema: string;
  host: string;
  port: number;
  token?: string;
  maxMemory: number;
  json?: boolean;
  logLevel: LogLevel;
}

function databaseUrl(option: string | true | undefined): string | undefined {
  if (option !== true) return option;
  const fromEnvironment = process.env.DATABASE_URL;
  if (!fromEnvironment) {
    throw new UsageError(
      '--database-url without a URL reads $DATABASE_URL, which is not set: give the URL, or set DATABASE_URL.',
    );
  }
  return fromEnvironment;
}

export async function runViewCommand(options: ViewCommandOptions): Promise<number> {
  const logger = createCliLogger({ level: options.logLevel, json: options.json === true });
  const view = await startView({
    endpoints: options.endpoints,
    databaseUrl: databaseUrl(options.databaseUrl),
    schema: options.schema,
    host: options.host,
    port: options.port,
    token: options.token ?? process.env.BROKER_VIEW_TOKEN,
    maxLiveChars: options.maxMemory * 1024 * 1024,
    logger,
  });
  const signals = abortOnSignals({
    onFirst: (signal) => logger.info(`${signal}: stopping the viewer`),
  });
  const tokenHint =
    options.token || process.env.BROKER_VIEW_TOKEN ? ' (open it with ?token=<your token> once)' : '';
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ command: 'view', url: view.url, port: view.port })}\n`);
  } else {
    process.stdout.write(`broker view: ${view.url}${tokenHint}\n`);
  }
  logger.info(`${view.data.status().source.description}; Ctrl-C stops`);
  await new Promise<void>((resolve) =>
    signals.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  await view.close();
  signals.dispose();
  return EXIT.ok;
}

export function viewCommand(): Command {
  return new Command('view')
    .description(
      'Serve a live conversation viewer in the browser: the events of the broker in endpoints.yml (on a queue or group of its own) and, with --database-url, the stored history.',
    )
    .requiredOption('-e, --endpoints <file>', 'endpoints.yml whose event_broker to watch')
    .option(
      '--database-url [url]',
      "the PostgreSQL sink's store, for the conversations before the viewer started (without a URL: $DATABASE_URL)",
    )
    .option('--schema <name>', 'schema of that store', 'public')
    .option('--host <host>', 'address to listen on; anything but loopback requires --token', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', wholeNumber('--port', 0, 65_535), 8080)
    .option(
      '--token <secret>',
      'required on every request (default: $BROKER_VIEW_TOKEN); open the page with ?token=<secret>',
    )
    .option(
      '--max-memory <MB>',
      'MB of live event bodies kept for transcripts; past that the least recently active conversations lose theirs',
      wholeNumber('--max-memory', 1, 1_000_000),
      256,
    )
    .option('--json', 'machine output: the URL as a JSON line on stdout, JSON log lines on stderr')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(LOG_LEVELS).default('info'))
    .action(runCommand(runViewCommand));
}
