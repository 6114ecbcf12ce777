import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireRabbitMq, startRabbitNode } from 'broker-test-kit';

/**
 * Starts the `fault` RabbitMQ node and resolves with the moment it first completed an AMQP
 * handshake (`performance.now()`), found by probing every 100 ms while the start script runs:
 * recovery is measured from there, not from when the script got round to reporting.
 */
export async function startFaultNodeAndTime(): Promise<number> {
  const starting = startRabbitNode('fault');
  let failed = false;
  starting.catch(() => {
    failed = true;
  });
  for (;;) {
    if (failed) await starting;
    try {
      await requireRabbitMq('fault', { timeoutMs: 500 });
      const answeredAt = performance.now();
      await starting;
      return answeredAt;
    } catch {
      await sleep(100);
    }
  }
}
