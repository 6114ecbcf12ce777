import { readFileSync } from 'node:fs';
import { ConfigError, loadEndpoints } from '@broker/core';
import { Command, Option } from 'commander';
import { publishEvents } from '../../publish/publish-events';
import { readEventInput } from '../../publish/read-event-input';
import { createCliLogger, LOG_LEVELS, type LogLevel } from '../cli-logger';
import { connectTimeoutOption, DEFAULT_CONNECT_TIMEOUT_MS, openBroker } from '../connect-timeout';
import { deliveryFailureExitCode, EXIT } from '../exit-codes';
import { wholeNumber } from '../option-parsers';
import { runCommand } from '../run-command';

export interface PublishCommandOptions {
  endpoints: string;
  senderId?: string;
  connectTimeout: number;
  timeout: number;
  json?: boolean;
  logLevel: LogLevel;
}

function readInput(file: string): { text: string; name: string } {
  if (file === '-') return { text: readFileSync(0, 'utf8'), name: 'stdin' };
  try {
    return { text: readFileSync(file, 'utf8'), name: file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a directory' : String(code);
    throw new ConfigError(`Cannot read the events file ${file}: ${why}.`, { key: 'FILE', cause: error });
  }
}

export async function runPublishCommand(file: string, options: PublishCommandOptions): Promise<number> {
  const logger = createCliLogger({ level: options.logLevel, json: options.json === true });
  const section = loadEndpoints(options.endpoints, { logger }).eventBroker;
  if (!section) {
    throw new ConfigError(
      `${options.endpoints} has no event_broker section: there is nowhere to publish to.`,
      {
        key: 'event_broker',
        file: options.endpoints,
      },
    );
  }
  const input = readInput(file);
  // Everything is validated before anything is published.
  const items = readEventInput(input.text, {
    name: input.name,
    ...(options.senderId ? { senderId: options.senderId } : {}),
  });
  const broker = await openBroker(section, { logger, connectTimeoutMs: options.connectTimeout });
  const report = await publishEvents(broker, items, { timeoutMs: options.timeout });
  // Every accepted event is either confirmed or undelivered; never report ok for less.
  const undelivered = report.published - report.confirmed;
  const ok = undelivered === 0 && report.notPublished === 0;
  const summary = {
    command: 'publish',
    ok,
    published: report.published,
    confirmed: report.confirmed,
    undelivered,
    notPublished: report.notPublished,
    conversations: new Set(items.map((i) => i.senderId)).size,
    ...(report.lastError ? { lastError: report.lastError.message } : {}),
  };
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    logger.info(
      `${report.published} event(s) of ${summary.conversations} conversation(s) published, ${report.confirmed} confirmed by the broker${undelivered ? `, ${undelivered} NOT delivered` : ''}${report.notPublished ? `, ${report.notPublished} not published` : ''}`,
    );
  }
  if (ok) return EXIT.ok;
  if (!options.json) {
    const reason = report.lastError ? ` Last broker error: ${report.lastError.message}` : '';
    const stopped = report.notPublished
      ? ` ${report.notPublished} event(s) were not published: the broker stopped first.`
      : '';
    logger.error(
      `${undelivered} of ${report.published} event(s) were not confirmed by the broker (failed, dropped, or not confirmed within ${options.timeout} ms).${stopped}${reason}`,
    );
  }
  return deliveryFailureExitCode(report.confirmed, report.lastError);
}

export function publishCommand(): Command {
  return new Command('publish')
    .description(
      'Publish events to the broker in endpoints.yml, exactly as Rasa would: from JSON lines (each with sender_id) or a Rasa tracker dump.',
    )
    .argument('[file]', 'JSON-lines file, tracker dump (.json), or - for stdin', '-')
    .requiredOption('-e, --endpoints <file>', 'endpoints.yml whose event_broker to publish to')
    .option('--sender-id <id>', 'conversation id for a tracker dump without sender_id (overrides it)')
    .addOption(connectTimeoutOption(DEFAULT_CONNECT_TIMEOUT_MS))
    .option(
      '--timeout <ms>',
      'how long to wait for the broker to confirm',
      wholeNumber('--timeout', 1),
      30_000,
    )
    .option('--json', 'machine output: a JSON summary on stdout, JSON log lines on stderr')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(LOG_LEVELS).default('info'))
    .action((file: string, options: PublishCommandOptions, command: Command) =>
      runCommand((o: PublishCommandOptions) => runPublishCommand(file, o))(options, command),
    );
}
