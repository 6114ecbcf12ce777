import type { BrokerState, EventBroker } from '@broker/core';

/** Resolves when the broker enters `wanted` (at once if it is there); rejects after `timeoutMs`. */
export function stateReached(broker: EventBroker, wanted: BrokerState, timeoutMs: number): Promise<void> {
  if (broker.state === wanted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      broker.off('state', listener);
      reject(new Error(`the broker did not become ${wanted} within ${timeoutMs} ms (it is ${broker.state})`));
    }, timeoutMs);
    const listener = (state: BrokerState) => {
      if (state !== wanted) return;
      clearTimeout(timer);
      broker.off('state', listener);
      resolve();
    };
    broker.on('state', listener);
  });
}
