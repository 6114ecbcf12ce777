import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli';

// Every command line here is refused before anything connects: no services needed.
describe('command-line mistakes', () => {
  it('suggests the option a misspelled one was meant to be, even when it is a required one', async () => {
    const result = await runCli(['consume', '--endpoint', 'endpoints.yml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: unknown option '--endpoint'\n(Did you mean --endpoints?)\n(run broker consume --help for usage)\n",
    );
    expect(result.stdout).toBe('');
  });

  it('still says when a required option is missing', async () => {
    const result = await runCli(['publish', '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: required option '-e, --endpoints <file>' not specified\n(run broker publish --help for usage)\n",
    );
  });

  it.each([
    [['consume', '--endpoint', 'endpoints.yml'], "unknown option '--endpoint' (Did you mean --endpoints?)"],
    [['export'], "required option '-e, --endpoints <file>' not specified"],
    [
      ['consume', '-e', 'endpoints.yml', '--concurrency', '0'],
      "option '--concurrency <n>' argument '0' is invalid. --concurrency must be a whole number between 1 and 10000, got \"0\".",
    ],
    [
      ['consume', '-e', 'endpoints.yml', '--sink', 'kafka'],
      "option '--sink <sink>' argument 'kafka' is invalid. Allowed choices are stdout, jsonl, postgres.",
    ],
    [
      ['publish', '-e', 'endpoints.yml', 'a.jsonl', 'b.jsonl'],
      "too many arguments for 'publish'. Expected 1 argument but got 2.",
    ],
    [['comsume'], "unknown command 'comsume' (Did you mean consume?)"],
  ])('with --json, %j is a JSON error on stdout and nothing on stderr', async (args, message) => {
    const result = await runCli([...args, '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, error: { code: 'USAGE', message, exitCode: 2 } });
  });

  it('takes --json after `--` as an argument, not as the option', async () => {
    const result = await runCli(['publish', '--', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("required option '-e, --endpoints <file>' not specified");
  });

  it('prints help with exit 0, --json or not', async () => {
    const result = await runCli(['consume', '--help', '--json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--endpoints <file>');
  });
});
