import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@broker/core';
import type { CommitOffset } from '../client/kafka-client';

const MAX_ATTEMPTS = 3;
const RETRY_DELAY_MS = 200;

function keyOf(offset: CommitOffset): string {
  return `${offset.topic}\u0000${offset.partition}`;
}

/**
 * Commits the newest offset of each partition, one commit request at a time and at most once
 * per `intervalMs`: offsets settled in between are merged into the next commit. Kafka answers
 * a connection's requests in order, so a commit per settlement would hold every fetch behind
 * it; a commit per interval costs one round trip however many messages were handled, and a
 * crash redelivers at most that interval's worth (at-least-once). `flush` commits at once.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, CommitOffset>();
  private running: Promise<void> | undefined;
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  /** Cuts the wait for the next interval short (flush). */
  private hurry = new AbortController();

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
  }

  /** Commits what is queued without waiting for the interval; resolves once it was committed (or failed and was logged). */
  async flush(): Promise<void> {
    if (!this.running) return;
    this.hurry.abort();
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    let failures = 0;
    try {
      while (this.pending.size > 0) {
        const wait = this.lastCommitAt + this.intervalMs - performance.now();
        if (wait > 0 && !this.hurry.signal.aborted) {
          await sleep(wait, undefined, { signal: this.hurry.signal }).catch(() => undefined);
        }
        const offsets = [...this.pending.values()];
        this.pending.clear();
        if (offsets.length === 0) continue;
        this.lastCommitAt = performance.now();
        try {
          await this.commit(offsets);
          failures = 0;
        } catch (error) {
          failures++;
          const retry = failures < MAX_ATTEMPTS;
          this.logger.warn(
            { err: error, offsets, attempt: failures },
            retry
              ? 'committing consumer offsets failed; retrying'
              : 'committing consumer offsets failed; those messages may be delivered again',
          );
          if (!retry) continue;
          for (const offset of offsets) {
            const key = keyOf(offset);
            if (!this.pending.has(key)) this.pending.set(key, offset);
          }
          await sleep(RETRY_DELAY_MS * failures);
        }
      }
    } finally {
      this.running = undefined;
      this.hurry = new AbortController();
    }
  }
}
