import type { MessageSource } from '@broker/core';
import type { ConsumerStats } from '../consumer/event-consumer';
import type { ReadinessCheck } from './metrics-server';

/**
 * What `/readyz` of `broker consume` answers: ready while the source consumes on a live
 * connection to the broker and no outage of the sink pauses consuming.
 */
export class ConsumeReadiness {
  private connected = false;
  private brokerDetail = 'not connected to the broker yet';

  constructor(private readonly sinkName: string) {}

  /** `source`, telling this readiness when it starts consuming and when its connection is lost. */
  watch(source: MessageSource): MessageSource {
    const backlog = source.backlog?.bind(source);
    return {
      name: source.name,
      description: source.description,
      close: () => source.close(),
      ...(backlog ? { backlog } : {}),
      consume: (onMessage, options) =>
        source.consume(onMessage, {
          ...options,
          onConsuming: () => {
            this.connected = true;
            options.onConsuming?.();
          },
          onConnectionLost: (error) => {
            this.connected = false;
            this.brokerDetail = `connection lost (${error.message}); reconnecting`;
            options.onConnectionLost?.(error);
          },
        }),
    };
  }

  checks(stats: ConsumerStats | undefined): ReadinessCheck[] {
    const paused = stats?.paused === true;
    return [
      { name: 'broker', ok: this.connected, ...(this.connected ? {} : { detail: this.brokerDetail }) },
      {
        name: 'sink',
        ok: !paused,
        ...(paused
          ? { detail: `the ${this.sinkName} sink is unavailable: consuming is paused until it answers` }
          : {}),
      },
    ];
  }
}
