import { type EventBroker, messagingSystem } from '@broker/core';
import { observePublisherMetrics } from '@broker/core/opentelemetry';
import type { Meter } from '@opentelemetry/api';
import { EXPORT_METRICS } from '../metrics/metric-names';
import type { ReadinessCheck } from './metrics-server';

/**
 * What `broker export --metrics-port` serves: the broker's publisher metrics, the export's
 * progress, and readiness (the broker connected and able to deliver).
 */
export class ExportMonitor {
  private meter: Meter | undefined;
  private broker: EventBroker | undefined;
  private total = 0;
  private exported = 0;

  /** Starts reporting into `meter` (the command's, when it serves metrics). */
  report(meter: Meter): void {
    const total = meter.createObservableGauge(EXPORT_METRICS.total, {
      description: 'Events this run of broker export exports.',
      unit: '{message}',
    });
    const exported = meter.createObservableCounter(EXPORT_METRICS.exported, {
      description: 'Events of this run the broker confirmed.',
      unit: '{message}',
    });
    meter.addBatchObservableCallback(
      (result) => {
        result.observe(total, this.total);
        result.observe(exported, this.exported);
      },
      [total, exported],
    );
    this.meter = meter;
  }

  /** The export starts: `total` events into `broker` (of the endpoints section's `type`). */
  started(broker: EventBroker, type: string | undefined, total: number): void {
    this.broker = broker;
    this.total = total;
    if (this.meter)
      observePublisherMetrics(this.meter, broker, {
        'messaging.system': messagingSystem((type ?? 'pika').trim().toLowerCase()),
      });
  }

  progress(confirmed: number): void {
    this.exported = confirmed;
  }

  checks(): ReadinessCheck[] {
    const state = this.broker?.state;
    const ok = this.broker?.isReady() === true;
    return [
      {
        name: 'broker',
        ok,
        ...(ok ? {} : { detail: state ? `the broker is ${state}` : 'not connected to the broker yet' }),
      },
    ];
  }
}
