import { setTimeout } from 'node:timers/promises';
import type { Logger } from '@broker/core';
import type { CommitOffset } from '../client/kafka-client';

const MAX_ATTEMPTS = 3;
const RETRY_DELAY_MS = 200;

function keyOf(offset: CommitOffset): string {
  return `${offset.topic}\u0000${offset.partition}`;
}

/**
 * Commits the newest offset of each partition, one commit request at a time: offsets settled
 * while a commit is running are merged into the next one, so a burst of settlements costs a
 * few round trips, not one each.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, CommitOffset>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly commit: (offsets: readonly CommitOffset[]) => Promise<void>,
    private readonly logger: Logger,
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

  /** Resolves once everything queued so far was committed (or failed and was logged). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    let failures = 0;
    try {
      while (this.pending.size > 0) {
        const offsets = [...this.pending.values()];
        this.pending.clear();
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
          await setTimeout(RETRY_DELAY_MS * failures);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
