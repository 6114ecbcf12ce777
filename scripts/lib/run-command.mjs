import { spawn } from 'node:child_process';

/**
 * @typedef {object} RunOptions
 * @property {string} [cwd]
 * @property {NodeJS.ProcessEnv} [env] the whole environment of the child (default: this process's)
 * @property {number} [timeoutMs] the child is killed (SIGTERM, then SIGKILL) after this long; default 10 minutes
 * @property {string} [input] written to the child's stdin, which is then closed
 * @property {boolean} [echo] also stream the child's output to this process's stderr, as it comes
 */

/**
 * @typedef {object} RunResult
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} durationMs
 */

const TAIL_LINES = 40;

/** Process groups of commands still running; whatever is left is killed when this process exits. */
const runningGroups = new Set();
process.on('exit', () => {
  for (const pid of runningGroups) signalGroup(pid, 'SIGKILL');
});

/** Signals a command and everything it started (its process group). */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the whole group is gone already
  }
}

/** The last lines of a command's output, for an error message. */
function tail(text) {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-TAIL_LINES).join('\n');
}

/**
 * Runs a command without a shell and resolves with its output; rejects, naming the command, its
 * folder, the exit code or signal and the end of its output, when it fails or times out. The
 * command runs in its own process group: on a timeout, and once the command itself has exited,
 * whatever it started is ended too (npx's child would otherwise outlive it and keep the pipes).
 *
 * @param {string} command
 * @param {string[]} args
 * @param {RunOptions} [options]
 * @returns {Promise<RunResult>}
 */
export function runCommand(command, args, options = {}) {
  const { cwd = process.cwd(), env = process.env, timeoutMs = 600_000, input, echo = false } = options;
  const started = Date.now();
  const shown = `${command} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      detached: true,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) runningGroups.add(pid);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      if (echo) process.stderr.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      if (echo) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid === undefined) return;
      signalGroup(pid, 'SIGTERM');
      setTimeout(() => signalGroup(pid, 'SIGKILL'), 5_000).unref();
    }, timeoutMs);
    child.on('exit', () => {
      if (pid === undefined) return;
      signalGroup(pid, 'SIGTERM');
      runningGroups.delete(pid);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run \`${shown}\` in ${cwd}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const durationMs = Date.now() - started;
      if (code === 0 && !timedOut) {
        resolve({ stdout, stderr, durationMs });
        return;
      }
      const why = timedOut
        ? `did not finish within ${Math.round(timeoutMs / 1000)} s`
        : signal
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
      const output = tail(`${stdout}\n${stderr}`);
      const error = new Error(`\`${shown}\` (in ${cwd}) ${why}.\n--- last output ---\n${output}`);
      Object.assign(error, { stdout, stderr, exitCode: code });
      reject(error);
    });
    if (child.stdin) {
      // A child that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}
