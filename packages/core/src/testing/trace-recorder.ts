import diagnosticsChannel from 'node:diagnostics_channel';

export type TracePhase = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';

export interface RecordedPhase<T> {
  phase: TracePhase;
  /** The context object itself (as it is now). */
  context: T;
  /** A shallow copy of the context as it was when the phase was published. */
  snapshot: T;
}

/**
 * Records every phase of a tracing channel (`broker:publish`, `broker:deliver`,
 * `broker:consume`, ...) by name, for tests of what is published on it; `stop()` unsubscribes.
 */
export function recordTracingChannel<T extends object>(
  name: string,
): { phases: RecordedPhase<T>[]; stop(): void } {
  const phases: RecordedPhase<T>[] = [];
  const on = (phase: TracePhase) => (message: unknown) =>
    phases.push({ phase, context: message as T, snapshot: { ...(message as T) } });
  const handlers = {
    start: on('start'),
    end: on('end'),
    asyncStart: on('asyncStart'),
    asyncEnd: on('asyncEnd'),
    error: on('error'),
  };
  const channel = diagnosticsChannel.tracingChannel(name);
  channel.subscribe(handlers);
  return { phases, stop: () => channel.unsubscribe(handlers) };
}
