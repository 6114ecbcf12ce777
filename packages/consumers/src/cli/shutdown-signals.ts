/**
 * SIGINT/SIGTERM abort the returned signal so the command can stop gracefully; a second
 * signal exits at once (for when a graceful stop takes too long for the person waiting).
 */
export function abortOnSignals(onFirst?: (signal: NodeJS.Signals) => void): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`broker: ${signal} again, exiting without waiting\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    onFirst?.(signal);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
