interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Collects lines written in the same turn of the event loop into one chunk and writes chunks
 * one at a time, in order. Each `write` resolves when the chunk holding its line was written.
 */
export class BatchedLineWriter {
  private lines: string[] = [];
  private waiters: Waiter[] = [];
  private writing: Promise<void> | undefined;

  constructor(private readonly writeChunk: (chunk: string) => Promise<void>) {}

  write(line: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.lines.push(line);
      this.waiters.push({ resolve, reject });
      this.writing ??= new Promise<void>((started) => setImmediate(started)).then(() => this.drain());
    });
  }

  /** Resolves when everything written so far is out. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => {});
  }

  private async drain(): Promise<void> {
    while (this.lines.length > 0) {
      const chunk = this.lines.join('');
      const waiters = this.waiters;
      this.lines = [];
      this.waiters = [];
      try {
        await this.writeChunk(chunk);
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.writing = undefined;
  }
}
