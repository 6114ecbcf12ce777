import { describe, expect, it } from 'vitest';
import { pairOrder, runAlternatingPairs } from '../alternating-pairs';
import { buildComparison } from '../comparison';
import type { RunMeasurement } from '../run-measurement';

function run(eventsPerSecond: number, p99 = 1): RunMeasurement {
  return {
    events: 1000,
    seconds: 1000 / eventsPerSecond,
    eventsPerSecond,
    cpuMicrosPerEvent: 10,
    eventLoopDelayP99Ms: 2,
    eventLoopUtilization: 0.5,
    peakRssMb: 100,
    latency: { ack: { count: 1000, p50: p99 / 2, p90: p99 / 1.5, p99, p999: p99 * 2, max: p99 * 3 } },
  };
}

describe('A/B alternation', () => {
  it('runs A then B in even pairs and B then A in odd ones', async () => {
    const order: string[] = [];
    const runs = await runAlternatingPairs({
      sides: ['ours', 'raw', 'python'],
      pairs: 3,
      run: async (side, pair) => {
        order.push(`${pair}:${side}`);
        return pair;
      },
    });
    expect(order).toEqual([
      '0:ours',
      '0:raw',
      '0:python',
      '1:python',
      '1:raw',
      '1:ours',
      '2:ours',
      '2:raw',
      '2:python',
    ]);
    expect(runs.get('raw')).toEqual([0, 1, 2]);
    expect(pairOrder(['a', 'b'], 1)).toEqual(['b', 'a']);
  });
});

describe('buildComparison', () => {
  const runs = new Map([
    ['ours', [run(900), run(1000, 3), run(1200)]],
    ['raw', [run(1000), run(1000), run(1000, 5)]],
  ]);

  it('pairs run i of ours with run i of raw for the ratio', () => {
    const result = buildComparison({
      id: 'throughput',
      title: 't',
      method: 'm',
      sides: [
        { id: 'ours', label: 'Ours' },
        { id: 'raw', label: 'Raw' },
      ],
      runs,
      ours: 'ours',
      raw: 'raw',
    });
    expect(result.ratio?.perPair).toEqual([0.9, 1, 1.2]);
    expect(result.ratio).toMatchObject({ median: 1, min: 0.9, max: 1.2 });
    expect(result.sides.ours?.summary.eventsPerSecond).toEqual({ median: 1000, min: 900, max: 1200 });
  });

  it('summarises latency as the median of each run’s percentile and the largest maximum', () => {
    const result = buildComparison({
      id: 'x',
      title: 't',
      method: 'm',
      sides: [{ id: 'ours', label: 'Ours' }],
      runs,
    });
    expect(result.sides.ours?.summary.latency.ack).toMatchObject({ p99: 1, max: 9 });
    expect(result.ratio).toBeNull();
  });

  it('gives no ratio for fixed-rate comparisons', () => {
    const result = buildComparison({
      id: 'e2e',
      title: 't',
      method: 'm',
      sides: [{ id: 'ours', label: 'Ours' }],
      runs,
      ours: 'ours',
      raw: 'raw',
      throughputRatio: false,
    });
    expect(result.ratio).toBeNull();
  });
});
