#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { consumeCommand } from './commands/consume-command';
import { demoCommand } from './commands/demo-command';
import { exportCommand } from './commands/export-command';
import { publishCommand } from './commands/publish-command';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';

declare const __PACKAGE_VERSION__: string;

const program = new Command()
  .name('broker')
  .description('Stream and consume Rasa conversation events on RabbitMQ, Kafka or a file.')
  .version(__PACKAGE_VERSION__)
  .showHelpAfterError('(run broker --help for usage)')
  .addHelpText('after', EXIT_CODES_HELP)
  .exitOverride();

for (const command of [consumeCommand(), publishCommand(), exportCommand(), demoCommand()]) {
  program.addCommand(
    command.showHelpAfterError(`(run broker ${command.name()} --help for usage)`).exitOverride(),
  );
}

program.parseAsync().catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Help and version exit 0; any other command-line mistake is a usage error.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return;
  }
  process.stderr.write(
    `broker: error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = EXIT.failure;
});
