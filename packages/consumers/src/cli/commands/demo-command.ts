import { Command, Option } from 'commander';
import { runDemo } from '../../demo/run-demo';
import { createCliLogger, LOG_LEVELS, type LogLevel } from '../cli-logger';
import { EXIT } from '../exit-codes';
import { runCommand } from '../run-command';

export interface DemoCommandOptions {
  endpoints?: string;
  delay: boolean;
  json?: boolean;
  logLevel: LogLevel;
}

export async function runDemoCommand(options: DemoCommandOptions): Promise<number> {
  const logger = createCliLogger({ level: options.logLevel, json: options.json === true });
  const result = await runDemo({
    ...(options.endpoints ? { endpoints: options.endpoints } : {}),
    write: options.json ? () => {} : (line) => process.stdout.write(`${line}\n`),
    color: process.stdout.isTTY === true,
    turnDelayMs: options.delay ? 300 : 0,
    logger,
  });
  if (options.json) process.stdout.write(`${JSON.stringify({ command: 'demo', ok: true, ...result })}\n`);
  return result.consumed === result.published ? EXIT.ok : EXIT.failure;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'Run a scripted moodbot conversation through a tracker store and its event broker, read the events back and print them (no broker needed).',
    )
    .option(
      '-e, --endpoints <file>',
      'endpoints.yml whose event_broker to stream through (file, pika or kafka; default: a file broker in a temp folder)',
    )
    .option('--no-delay', 'do not pause between turns')
    .option('--json', 'print only a JSON summary')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(LOG_LEVELS).default('warn'))
    .action(runCommand(runDemoCommand));
}
