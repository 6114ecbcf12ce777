import type { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { demoCommand } from '../src/cli/commands/demo-command';
import { exportCommand } from '../src/cli/commands/export-command';
import { repeatCommandLine } from '../src/cli/repeat-command-line';

/** `command` with `args` parsed as the command line would, without running it. */
async function parsed(command: Command, args: string[]): Promise<Command> {
  await command
    .exitOverride()
    .action(() => {})
    .parseAsync(args, { from: 'user' });
  return command;
}

const databaseUrl = process.env.DATABASE_URL;
afterEach(() => {
  if (databaseUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = databaseUrl;
});

describe('repeatCommandLine', () => {
  it('repeats every option given, in the order of the help, with the replaced one set', async () => {
    const command = await parsed(exportCommand(), [
      '-e',
      'endpoints.yml',
      '--chunk-size',
      '5',
      '--chunk-size',
      '50',
      '--tracker-dump',
      'dumps/moodbot tracker.json',
      '--conversation-ids',
      'a,b',
      '--conversation-ids',
      'c',
      '--maximum-timestamp',
      '1716801300.50',
      '--offset-timestamps-by-seconds',
      '0',
      '--connect-timeout',
      '2m',
      '--timeout',
      '20000',
      '--resume-file',
      "it's.resume.json",
      '--log-level',
      'warn',
      '--json',
    ]);
    expect(repeatCommandLine(command, { minimumTimestamp: '1716801234.25' })).toBe(
      "broker export --endpoints endpoints.yml --tracker-dump 'dumps/moodbot tracker.json' " +
        '--minimum-timestamp 1716801234.25 --maximum-timestamp 1716801300.50 --conversation-ids a,b,c ' +
        "--offset-timestamps-by-seconds 0 --resume-file 'it'\\''s.resume.json' --connect-timeout 2m " +
        '--chunk-size 50 --timeout 20000 --json --log-level warn',
    );
  });

  it('leaves out defaults and what came from the environment, and never prints a password', async () => {
    process.env.DATABASE_URL = 'postgres://app:env-secret@db:5432/rasa';
    const fromEnvironment = await parsed(exportCommand(), ['-e', 'endpoints.yml']);
    expect(repeatCommandLine(fromEnvironment, { minimumTimestamp: '5' })).toBe(
      'broker export --endpoints endpoints.yml --minimum-timestamp 5',
    );
    const given = await parsed(exportCommand(), [
      '-e',
      'endpoints.yml',
      '--database-url',
      'postgres://app:s3cret@db:5432/rasa',
      '--minimum-timestamp',
      '1',
    ]);
    const line = repeatCommandLine(given, { minimumTimestamp: '7' });
    expect(line).toBe(
      "broker export --endpoints endpoints.yml --database-url 'postgres://app:***@db:5432/rasa' --minimum-timestamp 7",
    );
  });

  it('writes a negated flag as given', async () => {
    expect(repeatCommandLine(await parsed(demoCommand(), ['--no-delay']), {})).toBe('broker demo --no-delay');
    expect(repeatCommandLine(await parsed(demoCommand(), []), {})).toBe('broker demo');
  });
});
