/** Lines that leave in one write, and the promise all their writers wait on. */
class Chunk {
  readonly lines: string[] = [];
  readonly written: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.written = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/**
 * Collects lines written in the same turn of the event loop (and while the previous chunk is
 * being written) into one chunk and writes chunks one at a time, in order. Each `write`
 * resolves when the chunk holding its line was written; the lines of a chunk share one promise,
 * so a line costs no allocation of its own beyond its text.
 */
export class BatchedLineWriter {
  private collecting: Chunk | undefined;
  private writing: Promise<void> | undefined;

  constructor(private readonly writeChunk: (chunk: string) => Promise<void>) {}

  write(line: string): Promise<void> {
    this.collecting ??= new Chunk();
    this.collecting.lines.push(line);
    this.writing ??= new Promise<void>((started) => setImmediate(started)).then(() => this.drain());
    return this.collecting.written;
  }

  /** Resolves when everything written so far is out. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => {});
  }

  private async drain(): Promise<void> {
    for (let chunk = this.collecting; chunk; chunk = this.collecting) {
      this.collecting = undefined;
      try {
        await this.writeChunk(chunk.lines.join(''));
        chunk.resolve();
      } catch (error) {
        chunk.reject(error);
      }
    }
    this.writing = undefined;
  }
}
