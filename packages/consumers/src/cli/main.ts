#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { consumeCommand } from './commands/consume-command';
import { demoCommand } from './commands/demo-command';
import { exportCommand } from './commands/export-command';
import { publishCommand } from './commands/publish-command';
import { viewCommand } from './commands/view-command';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { writeJsonFailure } from './run-command';

declare const __PACKAGE_VERSION__: string;

/** `--json` anywhere before `--`: argument errors are reported as JSON too. */
const json = (() => {
  const args = process.argv.slice(2);
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
})();

/**
 * Commander checks required options before unknown ones, so `--endpoint x` was reported as
 * "required option --endpoints not specified" without its "Did you mean --endpoints?". The
 * required options are checked just before the action instead, after the unknown ones.
 */
function checkRequiredOptionsLast(command: Command): Command {
  const required = command.options.filter((option) => option.mandatory);
  for (const option of required) option.mandatory = false;
  return command.hook('preAction', (_, action) => {
    for (const option of required) {
      if (action.getOptionValue(option.attributeName()) === undefined) {
        action.error(`error: required option '${option.flags}' not specified`, {
          code: 'commander.missingMandatoryOptionValue',
        });
      }
    }
  });
}

/** Usage errors: commander's text on stderr, or nothing there with `--json` (the JSON object follows). */
function usageOutput(command: Command, help: string): Command {
  return command
    .configureOutput({ outputError: (text, write) => (json ? undefined : write(text)) })
    .showHelpAfterError(json ? false : help)
    .exitOverride();
}

const program = usageOutput(
  new Command()
    .name('broker')
    .description('Stream and consume Rasa conversation events on RabbitMQ, Kafka or a file.')
    .version(__PACKAGE_VERSION__)
    .addHelpText('after', EXIT_CODES_HELP),
  '(run broker --help for usage)',
);

for (const command of [consumeCommand(), publishCommand(), exportCommand(), viewCommand(), demoCommand()]) {
  program.addCommand(
    usageOutput(checkRequiredOptionsLast(command), `(run broker ${command.name()} --help for usage)`),
  );
}

program.parseAsync().catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Help and version exit 0; any other command-line mistake is a usage error.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (json && error.exitCode !== 0) {
      writeJsonFailure({
        code: 'USAGE',
        message: error.message.replace(/^error: /, '').replaceAll('\n', ' '),
        exitCode: EXIT.usage,
      });
    }
    return;
  }
  process.stderr.write(
    `broker: error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = EXIT.failure;
});
