import type { Logger, MessageSource, SourceBacklog } from '@broker/core';

/** The fewest ms between two backlog queries of the broker, however often metrics are collected. */
export const DEFAULT_BACKLOG_INTERVAL_MS = 5000;

/**
 * Asks a source for its backlog at most once per `intervalMs`: a collection sooner than that
 * gets the last answer. Queries happen only when metrics are collected (nobody scraping, no
 * traffic to the broker). A failed query (the broker away) reports nothing until one succeeds
 * again: a stale lag would look like progress.
 */
export class BacklogPoller {
  private last: SourceBacklog[] = [];
  private askedAt = Number.NEGATIVE_INFINITY;
  private asking: Promise<SourceBacklog[]> | undefined;

  constructor(
    private readonly source: Pick<MessageSource, 'backlog' | 'name'>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** The backlog, queried again when the last query is `intervalMs` old. */
  current(): Promise<SourceBacklog[]> {
    if (!this.source.backlog) return Promise.resolve([]);
    if (this.asking) return this.asking;
    if (performance.now() - this.askedAt < this.intervalMs) return Promise.resolve(this.last);
    this.askedAt = performance.now();
    this.asking = this.source
      .backlog()
      .then(
        (backlog) => backlog,
        (error: unknown) => {
          this.logger.debug(
            { err: error },
            `cannot read the backlog of the ${this.source.name} source: ${(error as Error)?.message ?? String(error)}`,
          );
          return [];
        },
      )
      .then((backlog) => {
        this.last = backlog;
        this.asking = undefined;
        return backlog;
      });
    return this.asking;
  }
}
