// runCommand is what every release test starts processes with; a stray grandchild must never
// keep a test waiting (npx leaves `broker` running when it is killed).

import { runCommand } from 'broker-scripts/lib/run-command.mjs';
import { describe, expect, it } from 'vitest';

describe('runCommand', () => {
  it('resolves with the output of a command that succeeds', async () => {
    const { stdout } = await runCommand('sh', ['-c', 'echo hello; echo oops >&2']);
    expect(stdout).toBe('hello\n');
  });

  it('rejects naming the command, its exit code and the end of its output', async () => {
    await expect(runCommand('sh', ['-c', 'echo "the reason" >&2; exit 7'])).rejects.toThrow(
      /`sh -c .*` \(in .*\) exited with code 7\.\n--- last output ---\n[\s\S]*the reason/,
    );
  });

  it('ends a command and what it started when the time is up', async () => {
    const started = Date.now();
    await expect(runCommand('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { timeoutMs: 500 })).rejects.toThrow(
      /did not finish within 1 s/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('does not wait for a process the command left running', async () => {
    const started = Date.now();
    const { stdout } = await runCommand('sh', ['-c', '(sleep 30 &); echo done']);
    expect(stdout).toBe('done\n');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
