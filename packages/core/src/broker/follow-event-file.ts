import { statSync, watch } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EventValidationError } from '../errors/errors';
import type { EventMessage } from '../events/event-types';
import { type ParseEventOptions, parseEventMessage } from '../events/parse-event';

export interface FollowEventFileOptions extends ParseEventOptions {
  /** Start at the beginning of the file (default) or only read what is appended after this call. */
  fromStart?: boolean;
  /** Stops following; the iterator then ends. */
  signal?: AbortSignal;
  /** How often to look for new data when file notifications are unavailable, in ms. Default 200. */
  pollIntervalMs?: number;
}

/** One line of the event file: a parsed message, or the reason it could not be parsed. */
export type FollowedLine =
  | { ok: true; line: number; body: string; message: EventMessage }
  | { ok: false; line: number; body: string; error: EventValidationError };

const CHUNK = 64 * 1024;

/**
 * Follows a file written by the file broker, `tail -f` style: yields every complete line as a
 * parsed event message (or a parse error, so one bad line never stops the reader), waits for
 * more when it reaches the end, and starts over if the file is truncated.
 */
export function followEventFile(
  path: string,
  options: FollowEventFileOptions = {},
): AsyncGenerator<FollowedLine> {
  const file = resolve(path);
  // Measured now, not at the first `next()`, so "from now on" means from this call.
  const start = options.fromStart === false ? sizeNow(file) : 0;
  return follow(file, start, options);
}

function sizeNow(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

async function* follow(
  file: string,
  start: number,
  options: FollowEventFileOptions,
): AsyncGenerator<FollowedLine> {
  const signal = options.signal;
  const poll = options.pollIntervalMs ?? 200;
  let position = start;
  let lineNumber = 0;
  let rest = '';

  let wake: (() => void) | undefined;
  const notify = () => wake?.();
  const watcher = tryWatch(file, notify);
  signal?.addEventListener('abort', notify);
  try {
    while (!signal?.aborted) {
      const size = (await stat(file).catch(() => undefined))?.size;
      if (size !== undefined && size < position) {
        position = 0;
        rest = '';
      }
      if (size !== undefined && size > position) {
        const handle = await open(file, 'r');
        try {
          const buffer = Buffer.alloc(Math.min(CHUNK, size - position));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          position += bytesRead;
          rest += buffer.toString('utf8', 0, bytesRead);
        } finally {
          await handle.close();
        }
        const lines = rest.split('\n');
        rest = lines.pop() ?? '';
        for (const body of lines) {
          lineNumber++;
          if (body.trim() === '') continue;
          try {
            yield { ok: true, line: lineNumber, body, message: parseEventMessage(body, options) };
          } catch (error) {
            yield { ok: false, line: lineNumber, body, error: error as EventValidationError };
          }
        }
        continue;
      }
      await new Promise<void>((done) => {
        const timer = setTimeout(done, poll);
        wake = () => {
          clearTimeout(timer);
          done();
        };
      });
      wake = undefined;
    }
  } finally {
    watcher?.close();
    signal?.removeEventListener('abort', notify);
  }
}

function tryWatch(file: string, onChange: () => void): { close(): void } | undefined {
  try {
    return watch(file, { persistent: false }, onChange);
  } catch {
    return undefined; // the file may not exist yet; polling covers it
  }
}
