import { describe, expect, it } from 'vitest';
import { ClosedLoop } from '../closed-loop';
import { FixedRateSchedule } from '../fixed-rate';
import { LatencyRecorder } from '../latency-recorder';

describe('ClosedLoop', () => {
  it('never has more than `window` events unconfirmed and finishes when all are confirmed', async () => {
    const unconfirmed = new Set<number>();
    let most = 0;
    const loop = new ClosedLoop({
      count: 100,
      window: 8,
      send: (index) => {
        unconfirmed.add(index);
        most = Math.max(most, unconfirmed.size);
        // The "broker" confirms asynchronously, a few at a time.
        setTimeout(() => {
          unconfirmed.delete(index);
          loop.acked(index);
        }, index % 3);
      },
    });
    await loop.run();
    expect(most).toBe(8);
    expect(loop.ackLatency.count).toBe(100);
  });

  it('ignores a second confirmation of the same event', async () => {
    const loop = new ClosedLoop({
      count: 2,
      window: 2,
      send: (index) => queueMicrotask(() => loop.acked(index)),
    });
    await loop.run();
    loop.acked(0);
    expect(loop.ackLatency.count).toBe(2);
  });

  it('rejects when the side reports a failure', async () => {
    const loop = new ClosedLoop({
      count: 3,
      window: 1,
      send: () => queueMicrotask(() => loop.failed(new Error('nacked'))),
    });
    await expect(loop.run()).rejects.toThrow('nacked');
  });
});

describe('FixedRateSchedule', () => {
  it('sends on schedule and measures from the scheduled time, so a late arrival shows as latency', async () => {
    const sentAt: number[] = [];
    const schedule: FixedRateSchedule = new FixedRateSchedule({
      rate: 500,
      count: 50,
      send: (index, scheduledAt) => {
        sentAt.push(performance.now() - scheduledAt);
        // Every event arrives 5 ms after it was due.
        setTimeout(() => schedule.arrived(index, scheduledAt + 5), 0);
      },
    });
    await schedule.send();
    await schedule.whenAllArrived(2000);
    const percentiles = schedule.endToEnd.percentiles();
    expect(percentiles.count).toBe(50);
    expect(percentiles.p50).toBeCloseTo(5, 1);
    // Sent no earlier than scheduled.
    expect(Math.min(...sentAt)).toBeGreaterThanOrEqual(0);
  });

  it('names how many events are missing when they do not all arrive', async () => {
    const schedule = new FixedRateSchedule({ rate: 1000, count: 3, send: () => undefined });
    await schedule.send();
    schedule.arrived(0);
    await expect(schedule.whenAllArrived(20)).rejects.toThrow('only 1 of 3 events');
  });
});

describe('LatencyRecorder', () => {
  it('reports percentiles in milliseconds from every sample', () => {
    const recorder = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) recorder.record(i / 100);
    const p = recorder.percentiles();
    expect(p.count).toBe(1000);
    expect(p.p50).toBeCloseTo(5, 1);
    expect(p.p99).toBeCloseTo(9.9, 1);
    expect(p.max).toBeCloseTo(10, 1);
  });
});
