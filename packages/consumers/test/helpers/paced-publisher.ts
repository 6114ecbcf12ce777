import { createEventBroker, loadEndpoints } from '@broker/core';

/**
 * Publishes `bodies` through the broker of an endpoints file at about `perSecond`, as a live
 * bot would, then waits until the broker confirmed every one of them.
 */
export async function publishPaced(
  endpoints: string,
  bodies: readonly string[],
  perSecond: number,
): Promise<void> {
  const section = loadEndpoints(endpoints).eventBroker;
  if (!section) throw new Error(`${endpoints} has no event_broker section`);
  const broker = await createEventBroker(section);
  if (!broker) throw new Error(`${endpoints} describes no event broker`);
  const started = performance.now();
  for (const [i, body] of bodies.entries()) {
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    broker.publish(body);
  }
  const report = await broker.close({ timeout: 30_000 });
  if (report.confirmed !== bodies.length) {
    throw new Error(`The broker confirmed ${report.confirmed} of ${bodies.length} events.`);
  }
}
