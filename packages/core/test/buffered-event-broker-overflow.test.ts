import { describe, expect, it } from 'vitest';
import { BufferedEventBroker, BufferOverflowError, slotSet, type UndeliveredEvent } from '../src/index';

/** A broker whose transport never connects: everything stays in the buffer. */
class UnreachableBroker extends BufferedEventBroker {
  constructor() {
    super({ name: 'unreachable', buffer: { maxEvents: 2, overflow: 'drop-oldest' } });
  }
  protected start(): void {}
  protected wake(): void {}
  protected async shutdown(): Promise<void> {}
}

const event = (n: number) => ({ sender_id: 's', ...slotSet('n', n, { timestamp: 1 }) });

describe('BufferedEventBroker with overflow drop-oldest', () => {
  it('reports each dropped event to an undelivered listener, with a BufferOverflowError', () => {
    const broker = new UnreachableBroker();
    const reports: { events: UndeliveredEvent[]; error: unknown }[] = [];
    broker.on('undelivered', (events, error) => reports.push({ events, error }));
    for (let n = 0; n < 4; n++) broker.publish(event(n));
    expect(reports.map((r) => r.events.map((e) => JSON.parse(e.body).value))).toEqual([[0], [1]]);
    expect(reports.every((r) => r.events[0]?.reason === 'dropped')).toBe(true);
    expect(BufferOverflowError.isInstance(reports[0]?.error)).toBe(true);
    expect(broker.stats()).toMatchObject({ published: 4, pending: 2, dropped: 2 });
  });

  it('counts drops without a listener too', () => {
    const broker = new UnreachableBroker();
    for (let n = 0; n < 5; n++) broker.publish(event(n));
    expect(broker.stats()).toMatchObject({ published: 5, pending: 2, dropped: 3 });
  });
});
