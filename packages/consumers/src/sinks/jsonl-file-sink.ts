import { type FileHandle, open } from 'node:fs/promises';
import { ConfigError } from '@broker/core';
import type { ConsumedEvent } from '../consumer/consumed-event';
import { BatchedLineWriter } from './batched-line-writer';
import type { EventSink } from './event-sink';
import { SinkError } from './sink-error';

export interface JsonLinesFileSinkOptions {
  /** The file to append to (created when missing). */
  path: string;
  /** Sync to disk before acknowledging (default true): an acknowledged event survives a crash. */
  fsync?: boolean;
}

/** Appends each wire body, exactly as received, as one line of a JSON-lines file. */
export class JsonLinesFileSink implements EventSink {
  readonly name = 'jsonl';
  private readonly writer: BatchedLineWriter;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    fsync: boolean,
  ) {
    this.writer = new BatchedLineWriter(async (chunk) => {
      try {
        await file.appendFile(chunk, 'utf8');
        if (fsync) await file.datasync();
      } catch (error) {
        throw new SinkError('jsonl', `Cannot append to ${path}: ${(error as Error).message}`, {
          cause: error,
          canRetry: true,
        });
      }
    });
  }

  static async open(options: JsonLinesFileSinkOptions): Promise<JsonLinesFileSink> {
    let file: FileHandle;
    try {
      file = await open(options.path, 'a');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'its folder does not exist'
          : code === 'EISDIR'
            ? 'it is a directory'
            : code === 'EACCES'
              ? 'permission denied'
              : String((error as Error).message);
      throw new ConfigError(`Cannot open the output file ${options.path} for appending: ${why}.`, {
        key: 'output',
        cause: error,
      });
    }
    return new JsonLinesFileSink(file, options.path, options.fsync ?? true);
  }

  write(event: ConsumedEvent): Promise<void> {
    return this.writer.write(`${event.body}\n`);
  }

  close(): Promise<void> {
    this.closing ??= this.writer.flush().then(() => this.file.close());
    return this.closing;
  }
}
