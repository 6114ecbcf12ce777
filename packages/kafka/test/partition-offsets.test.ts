import { describe, expect, it } from 'vitest';
import type { CommitOffset } from '../src/client/kafka-client';
import { OffsetCommitter } from '../src/consumer/offset-committer';
import { PartitionOffsets } from '../src/consumer/partition-offsets';
import { captureLogger } from './capture-logger';

describe('PartitionOffsets', () => {
  it('commits only after every earlier delivery of the partition is settled', () => {
    const offsets = new PartitionOffsets();
    for (const offset of [10n, 11n, 12n, 15n]) offsets.deliver(offset);
    expect(offsets.settle(11n)).toBeUndefined();
    expect(offsets.settle(12n)).toBeUndefined();
    expect(offsets.settle(10n)).toBe(13n);
    expect(offsets.unsettledCount).toBe(1);
    // Gaps in the log (compaction, transaction markers) do not hold the commit back.
    expect(offsets.settle(15n)).toBe(16n);
    expect(offsets.unsettledCount).toBe(0);
  });

  it('stays correct over many deliveries settled out of order', () => {
    const offsets = new PartitionOffsets();
    const count = 5000;
    for (let i = 0; i < count; i++) offsets.deliver(BigInt(i));
    let committed = 0n;
    for (let i = count - 1; i >= 1; i -= 2) expect(offsets.settle(BigInt(i))).toBeUndefined();
    for (let i = 0; i < count; i += 2) committed = offsets.settle(BigInt(i)) ?? committed;
    expect(committed).toBe(BigInt(count));
  });
});

describe('OffsetCommitter', () => {
  it('merges offsets settled while a commit runs into the next commit, newest per partition', async () => {
    const commits: CommitOffset[][] = [];
    let release: (() => void) | undefined;
    const committer = new OffsetCommitter(async (offsets) => {
      commits.push([...offsets]);
      if (commits.length === 1) await new Promise<void>((resolve) => (release = resolve));
    }, captureLogger());
    committer.add({ topic: 't', partition: 0, offset: '1' });
    committer.add({ topic: 't', partition: 0, offset: '2' });
    committer.add({ topic: 't', partition: 1, offset: '7' });
    committer.add({ topic: 't', partition: 0, offset: '3' });
    await new Promise((resolve) => setImmediate(resolve));
    release?.();
    await committer.flush();
    expect(commits).toEqual([
      [{ topic: 't', partition: 0, offset: '1' }],
      [
        { topic: 't', partition: 0, offset: '3' },
        { topic: 't', partition: 1, offset: '7' },
      ],
    ]);
  });

  it('commits at most once per interval, merging what was settled in between', async () => {
    const commits: { at: number; offsets: string[] }[] = [];
    let second: () => void = () => undefined;
    const secondCommit = new Promise<void>((resolve) => (second = resolve));
    const committer = new OffsetCommitter(
      async (offsets) => {
        commits.push({ at: performance.now(), offsets: offsets.map((o) => o.offset) });
        if (commits.length === 2) second();
      },
      captureLogger(),
      300,
    );
    committer.add({ topic: 't', partition: 0, offset: '1' });
    await new Promise((resolve) => setImmediate(resolve));
    committer.add({ topic: 't', partition: 0, offset: '2' });
    committer.add({ topic: 't', partition: 0, offset: '3' });
    await secondCommit;
    expect(commits.map((c) => c.offsets)).toEqual([['1'], ['3']]);
    expect(commits[1]!.at - commits[0]!.at).toBeGreaterThanOrEqual(290);
  });

  it('flush commits what is queued at once, without waiting for the interval', async () => {
    const commits: string[][] = [];
    const committer = new OffsetCommitter(
      async (offsets) => {
        commits.push(offsets.map((o) => o.offset));
      },
      captureLogger(),
      60_000,
    );
    committer.add({ topic: 't', partition: 0, offset: '1' });
    await new Promise((resolve) => setImmediate(resolve));
    committer.add({ topic: 't', partition: 0, offset: '2' });
    const started = performance.now();
    await committer.flush();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(commits).toEqual([['1'], ['2']]);
  });

  it('keeps retrying a failed commit until it goes through (the coordinator moved), newest offset first', async () => {
    const logger = captureLogger();
    const attempts: string[][] = [];
    let done: () => void = () => undefined;
    const committed = new Promise<void>((resolve) => (done = resolve));
    const committer = new OffsetCommitter(async (offsets) => {
      attempts.push(offsets.map((o) => o.offset));
      if (attempts.length < 5) throw new Error('NOT_COORDINATOR');
      done();
    }, logger);
    committer.add({ topic: 't', partition: 0, offset: '5' });
    // A newer offset added while the first commit is being retried (not before it started).
    await new Promise((resolve) => setTimeout(resolve, 50));
    committer.add({ topic: 't', partition: 0, offset: '9' });
    await committed;
    expect(attempts.length).toBe(5);
    expect(attempts[0]).toEqual(['5']);
    expect(attempts.at(-1)).toEqual(['9']);
    expect(logger.text()).toContain('committing consumer offsets failed; retrying');
    expect(logger.text()).not.toContain('may be delivered again');
  });

  it('drops a failed commit after a rebalance instead of retrying it for partitions it may no longer own', async () => {
    let attempts = 0;
    const committer = new OffsetCommitter(async () => {
      attempts++;
      committer.clear();
      throw new Error('REBALANCE_IN_PROGRESS');
    }, captureLogger());
    committer.add({ topic: 't', partition: 0, offset: '5' });
    await committer.flush();
    expect(attempts).toBe(1);
  });

  it('flush gives up after its timeout when a commit hangs (coordinator unreachable)', async () => {
    const logger = captureLogger();
    const committer = new OffsetCommitter(() => new Promise<void>(() => undefined), logger);
    committer.add({ topic: 't', partition: 0, offset: '5' });
    const started = performance.now();
    await committer.flush(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(logger.text()).toContain('did not finish within 200 ms while stopping');
  });

  it('retries a failed commit, then gives up with a warning', async () => {
    const logger = captureLogger();
    let calls = 0;
    const committer = new OffsetCommitter(async () => {
      calls++;
      throw new Error('REBALANCE_IN_PROGRESS');
    }, logger);
    committer.add({ topic: 't', partition: 0, offset: '5' });
    await committer.flush();
    expect(calls).toBe(3);
    expect(logger.text()).toContain('those messages may be delivered again');
  });
});
