import type { Percentiles } from './latency-recorder';
import type { ResourceUsage } from './resource-monitor';

/** The latencies a run can report, all in milliseconds. */
export interface RunLatencies {
  /** From `publish` to the broker's confirmation of that event (closed loop). */
  ack?: Percentiles;
  /** From the event's scheduled send time to its arrival at a consumer in the same process (fixed rate). */
  endToEnd?: Percentiles;
  /** How long the synchronous `publish()` call took in the caller. */
  publishCall?: Percentiles;
  /** How long `trackerStore.save()` took. */
  save?: Percentiles;
}

/** One measured run of one side (one process), after its warm-up. */
export interface RunMeasurement {
  /** Events (messages) counted in the measured section: confirmed, consumed or saved. */
  events: number;
  seconds: number;
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  /** Null where it does not apply (Python). */
  eventLoopDelayP99Ms: number | null;
  eventLoopUtilization: number | null;
  peakRssMb: number;
  latency: RunLatencies;
  /** Anything else a benchmark wants to keep next to the numbers (counts, settings of the run). */
  details?: Record<string, number | string | boolean>;
}

/** Builds a measurement from what a Node run counted and what the resource monitor saw. */
export function nodeMeasurement(
  events: number,
  seconds: number,
  usage: ResourceUsage,
  latency: RunLatencies,
  details?: RunMeasurement['details'],
): RunMeasurement {
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    cpuMicrosPerEvent: usage.cpuMicros / Math.max(1, events),
    eventLoopDelayP99Ms: usage.eventLoopDelayP99Ms,
    eventLoopUtilization: usage.eventLoopUtilization,
    peakRssMb: usage.peakRssMb,
    latency,
    ...(details ? { details } : {}),
  };
}
