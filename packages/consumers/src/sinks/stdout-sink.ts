import type { ConsumedEvent } from '../consumer/consumed-event';
import { BatchedLineWriter } from './batched-line-writer';
import type { EventSink } from './event-sink';
import { SinkError } from './sink-error';
import { formatTranscriptLine } from './transcript';

export type OutputFormat = 'transcript' | 'json';

export interface StdoutSinkOptions {
  /** Default `process.stdout`. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * `transcript`: one readable line per event; `json`: the wire body exactly as received, one per
   * line. Default: transcript on a terminal, json otherwise (pipes, files).
   */
  format?: OutputFormat;
  /** ANSI colours in the transcript; default on a terminal. */
  color?: boolean;
}

/** Writes events to stdout (or any stream): a transcript for people, or JSON lines for programs. */
export class StdoutSink implements EventSink {
  readonly name = 'stdout';
  readonly format: OutputFormat;
  private readonly writer: BatchedLineWriter;
  private readonly color: boolean;

  constructor(options: StdoutSinkOptions = {}) {
    const stream = options.stream ?? process.stdout;
    const tty = (stream as { isTTY?: boolean }).isTTY === true;
    this.format = options.format ?? (tty ? 'transcript' : 'json');
    this.color = options.color ?? tty;
    this.writer = new BatchedLineWriter(
      (chunk) =>
        new Promise((resolve, reject) => {
          stream.write(chunk, (error) =>
            error
              ? reject(
                  new SinkError('stdout', `Cannot write to the output: ${error.message}`, {
                    cause: error,
                    canRetry: true,
                  }),
                )
              : resolve(),
          );
        }),
    );
  }

  write(event: ConsumedEvent): Promise<void> {
    const line =
      this.format === 'json'
        ? event.body
        : formatTranscriptLine({ senderId: event.senderId, event: event.event }, { color: this.color });
    return this.writer.write(`${line}\n`);
  }

  close(): Promise<void> {
    return this.writer.flush();
  }
}
