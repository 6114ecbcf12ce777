#!/usr/bin/env node
import { Command } from 'commander';
import { runDemo } from '../demo/run-demo';

const program = new Command()
  .name('broker')
  .description('Stream and consume Rasa conversation events on RabbitMQ, Kafka or a file.')
  .showHelpAfterError();

program
  .command('demo')
  .description(
    'Run a scripted moodbot conversation through a tracker store and print the event stream (no broker needed).',
  )
  .option(
    '-e, --endpoints <file>',
    'endpoints.yml whose event_broker to stream through (default: a file broker in a temp folder)',
  )
  .option('--no-delay', 'do not pause between turns')
  .action(async (options: { endpoints?: string; delay: boolean }) => {
    await runDemo({
      ...(options.endpoints ? { endpoints: options.endpoints } : {}),
      write: (line) => process.stdout.write(`${line}\n`),
      color: process.stdout.isTTY === true,
      turnDelayMs: options.delay ? 300 : 0,
    });
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`broker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
