import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@broker/core';
import type { CommitOffset } from '../client/kafka-client';

/** Attempts `flush` makes before it gives up (stopping must not hang on an unreachable coordinator). */
const FLUSH_ATTEMPTS = 3;
const RETRY_DELAY_MS = 200;
const MAX_RETRY_DELAY_MS = 5000;
/** Failures in a row between two warnings while the coordinator stays unreachable (the rest go to debug). */
const WARN_EVERY = 10;

function keyOf(offset: CommitOffset): string {
  return `${offset.topic}\u0000${offset.partition}`;
}

/**
 * Commits the newest offset of each partition, one commit request at a time and at most once
 * per `intervalMs`: offsets settled in between are merged into the next commit, so a busy
 * consumer sends one commit per interval instead of hundreds a second, and a crash redelivers
 * at most that interval's worth (at-least-once). A failed commit is kept and retried with
 * backoff until it goes through (the group coordinator may be moving to another broker), or
 * until a newer offset of the partition or a rebalance replaces it. `flush` commits at once.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, CommitOffset>();
  private running: Promise<void> | undefined;
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  /** Cuts waits short and bounds the retries (flush). */
  private hurry = new AbortController();
  /** Bumped by clear(): offsets of a commit that failed across a rebalance are not kept. */
  private generation = 0;

  constructor(
    private readonly commit: (offsets: readonly CommitOffset[]) => Promise<void>,
    private readonly logger: Logger,
    private readonly intervalMs = 0,
  ) {}

  /** Queues `offset` (the next offset to read) of a partition for the next commit. */
  add(offset: CommitOffset): void {
    this.pending.set(keyOf(offset), offset);
    this.running ??= this.drain();
  }

  /** Forgets what is queued (after a rebalance: the new owner decides). */
  clear(): void {
    this.pending.clear();
    this.generation++;
  }

  /**
   * Commits what is queued without waiting for the interval; resolves once it was committed,
   * after a few failed attempts, or after `timeoutMs` (kafkajs retries one commit for a long
   * time while the coordinator is unreachable; stopping must not wait for that). What did not
   * get committed is logged: those messages may be delivered again.
   */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (!this.running) return;
    this.hurry.abort();
    const deadline = performance.now() + timeoutMs;
    while (this.running) {
      if (!Number.isFinite(deadline)) {
        await this.running;
        continue;
      }
      const left = Math.max(0, deadline - performance.now());
      const done = await Promise.race([this.running.then(() => true), sleep(left, false, { ref: false })]);
      if (!done) {
        this.logger.warn(
          { offsets: [...this.pending.values()], timeoutMs },
          `committing consumer offsets did not finish within ${timeoutMs} ms while stopping; those messages may be delivered again`,
        );
        return;
      }
    }
  }

  private async drain(): Promise<void> {
    let failures = 0;
    try {
      while (this.pending.size > 0) {
        const wait = this.lastCommitAt + this.intervalMs - performance.now();
        if (wait > 0 && !this.hurry.signal.aborted) await this.pause(wait);
        const offsets = [...this.pending.values()];
        this.pending.clear();
        if (offsets.length === 0) continue;
        const generation = this.generation;
        this.lastCommitAt = performance.now();
        try {
          await this.commit(offsets);
          if (failures >= WARN_EVERY)
            this.logger.info({ failures }, 'committing consumer offsets works again');
          failures = 0;
        } catch (error) {
          failures++;
          const flushing = this.hurry.signal.aborted;
          if (flushing && failures >= FLUSH_ATTEMPTS) {
            this.logger.warn(
              { err: error, offsets, attempt: failures },
              'committing consumer offsets failed while stopping; those messages may be delivered again',
            );
            continue;
          }
          const level = failures === 1 || failures % WARN_EVERY === 0 ? 'warn' : 'debug';
          this.logger[level](
            { err: error, offsets, attempt: failures },
            'committing consumer offsets failed; retrying',
          );
          // Keep them, unless a newer offset of the partition was settled or the group rebalanced meanwhile.
          for (const offset of offsets) {
            const key = keyOf(offset);
            if (generation === this.generation && !this.pending.has(key)) this.pending.set(key, offset);
          }
          if (flushing) await sleep(RETRY_DELAY_MS * failures);
          else await this.pause(Math.min(RETRY_DELAY_MS * 2 ** (failures - 1), MAX_RETRY_DELAY_MS));
        }
      }
    } finally {
      this.running = undefined;
      this.hurry = new AbortController();
    }
  }

  /** Sleeps, woken early by flush. */
  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.hurry.signal }).catch(() => undefined);
  }
}
