import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** What a measured section cost the process. */
export interface ResourceUsage {
  /** User + system CPU time of the whole process during the section, in µs. */
  cpuMicros: number;
  /** 99th percentile of the event-loop delay during the section, in ms. */
  eventLoopDelayP99Ms: number;
  /** Share of the section the event loop was busy (0..1). */
  eventLoopUtilization: number;
  /** Largest resident set size seen (sampled every `sampleMs` and at the end), in MiB. */
  peakRssMb: number;
}

const MIB = 1024 * 1024;

/**
 * Starts measuring CPU time (`process.cpuUsage`), event-loop delay (`monitorEventLoopDelay`),
 * event-loop utilisation and peak RSS (sampled); `stop()` returns the totals of the section.
 */
export function startResourceMonitor(sampleMs = 20): { stop(): ResourceUsage } {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, sampleMs);
  sampler.unref();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  return {
    stop(): ResourceUsage {
      const used = process.cpuUsage(cpu);
      const utilization = performance.eventLoopUtilization(elu).utilization;
      delay.disable();
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      return {
        cpuMicros: used.user + used.system,
        eventLoopDelayP99Ms: delay.count > 0 ? delay.percentile(99) / 1e6 : 0,
        eventLoopUtilization: utilization,
        peakRssMb: peakRss / MIB,
      };
    },
  };
}
