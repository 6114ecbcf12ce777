/**
 * How long after the first SIGINT/SIGTERM another one still counts as the same request to stop.
 * One Ctrl-C often arrives twice: the terminal sends SIGINT to the whole process group, and
 * wrappers in it (`npm run`, `npx`, `pnpm`, process managers) pass it on to their child as
 * well, a few milliseconds later. Only a signal after this is someone asking to stop at once.
 */
export const REPEAT_WINDOW_MS = 1000;

export interface ShutdownSignalsOptions {
  /** The first signal: the command starts stopping gracefully (log what it does now). */
  onFirst?: (signal: NodeJS.Signals) => void;
  /** Another signal within the repeat window: taken as the same one, the graceful stop goes on. */
  onRepeat?: (signal: NodeJS.Signals, afterMs: number) => void;
  /**
   * Called just before a forced exit (a signal after the repeat window): does what can be done
   * synchronously (e.g. write a resume file) and returns what is left unfinished, as lines for
   * the person who forced the exit (or nothing).
   */
  onForcedExit?: (signal: NodeJS.Signals) => string | undefined;
  /** Writes what this mechanism says itself (a forced exit, a lost parent); default a `broker: ...` line on stderr. Must write synchronously. */
  report?: (message: string) => void;
  /** Default {@link REPEAT_WINDOW_MS}. */
  repeatWindowMs?: number;
}

/** How often a command started by npm checks that its parent is still there. */
export const PARENT_CHECK_MS = 500;

/**
 * npm (`npx`, `npm exec`, `npm run`) runs a command through `sh -c` and passes SIGINT and
 * SIGTERM on to that shell only. The shell (dash) neither execs the command nor passes signals
 * on: a SIGTERM kills the shell and npm at once and leaves this process running on its own.
 * So when npm started us (it sets `npm_lifecycle_event`), losing the parent counts as SIGTERM.
 * Not for other parents: `nohup broker consume &` must survive the shell that started it.
 */
function watchForLostParent(onLost: () => void): () => void {
  if (process.env.npm_lifecycle_event === undefined) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onLost();
  }, PARENT_CHECK_MS).unref();
  return () => clearInterval(timer);
}

export interface ShutdownSignals {
  /** Aborted on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /**
   * The command is done with its work. Without a signal so far, the default handling comes back
   * (a signal ends the process). After one, the handlers stay until the process exits, so that
   * a wrapper's copy of the same Ctrl-C arriving late cannot kill a command that is just closing.
   */
  dispose: () => void;
}

/** How a person sends `signal` again: Ctrl-C for SIGINT. */
export function signalName(signal: NodeJS.Signals): string {
  return signal === 'SIGINT' ? 'Ctrl-C' : signal;
}

/** Exit code of a process ended by `signal` (the shell's 128 + signal number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1;
}

/**
 * SIGINT/SIGTERM abort the returned signal so the command can stop gracefully. A second signal
 * within `repeatWindowMs` of the first is the same Ctrl-C passed on by a wrapper and changes
 * nothing; a later one is someone who does not want to wait: the process exits at once with
 * 130 (SIGINT) or 143 (SIGTERM), after saying what is left unfinished (once the command has
 * finished its work and only connections are closing, with the command's own exit code).
 */
export function abortOnSignals(options: ShutdownSignalsOptions = {}): ShutdownSignals {
  const repeatWindowMs = options.repeatWindowMs ?? REPEAT_WINDOW_MS;
  const controller = new AbortController();
  let firstAt: number | undefined;
  let finished = false;
  // stderr writes are synchronous on pipes, files and terminals on Linux: written before an exit.
  const say = options.report ?? ((message: string) => process.stderr.write(`broker: ${message}\n`));
  const handler = (signal: NodeJS.Signals) => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      options.onFirst?.(signal);
      controller.abort();
      return;
    }
    const afterMs = Math.round(now - firstAt);
    if (afterMs < repeatWindowMs) {
      if (!finished) options.onRepeat?.(signal, afterMs);
      return;
    }
    let unfinished: string | undefined;
    if (!finished) {
      try {
        unfinished = options.onForcedExit?.(signal);
      } catch (error) {
        unfinished = `(could not tell what is left unfinished: ${(error as Error).message})`;
      }
    }
    const message = `${signal} again: exiting at once without waiting${finished ? ' for the connections to close' : ''}${unfinished ? `; ${unfinished}` : ''}`;
    say(message);
    // Once the command is done, its own result stands (only closing was left).
    const result = finished && typeof process.exitCode === 'number' ? process.exitCode : undefined;
    process.exit(result ?? signalExitCode(signal));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  const stopWatching = watchForLostParent(() => {
    // Already stopping: the parent went away because of the same signal (sent to the group).
    if (firstAt !== undefined) return;
    say(
      'the process that started this command is gone (npm passes SIGTERM only to the shell it runs commands in): stopping as on SIGTERM',
    );
    handler('SIGTERM');
  });
  return {
    signal: controller.signal,
    dispose: () => {
      finished = true;
      stopWatching();
      if (firstAt !== undefined) return;
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
