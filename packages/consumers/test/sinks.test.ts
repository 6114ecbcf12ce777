import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../src/consumer/consumed-event';
import { decodeMessage } from '../src/consumer/decode-message';
import { JsonLinesFileSink } from '../src/sinks/jsonl-file-sink';
import { StdoutSink } from '../src/sinks/stdout-sink';
import { rasaTurnLines } from './helpers/wire';

function consumed(body: string): ConsumedEvent {
  const decoded = decodeMessage({
    body: Buffer.from(body),
    headers: {},
    key: undefined,
    redelivered: false,
    position: 'p',
    meta: {},
    settle: async () => {},
  });
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.event;
}

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, text: () => text };
}

describe('StdoutSink', () => {
  it('writes each wire body exactly as received when the output is not a terminal', async () => {
    const out = capture(false);
    const sink = new StdoutSink({ stream: out.stream });
    expect(sink.format).toBe('json');
    const lines = rasaTurnLines();
    await Promise.all(lines.map((line) => sink.write(consumed(line))));
    await sink.close();
    expect(out.text()).toBe(`${lines.join('\n')}\n`);
  });

  it('writes a readable transcript on a terminal', async () => {
    const out = capture(true);
    const sink = new StdoutSink({ stream: out.stream, color: false });
    expect(sink.format).toBe('transcript');
    for (const line of rasaTurnLines()) await sink.write(consumed(line));
    const text = out.text();
    expect(text).toContain('user-123   user  I want to fly to Berlin  (intent book_flight 0.99)');
    expect(text).toContain('user-123   bot   When do you want to travel?');
    expect(text).toContain('user-123   slot  city = "Berlin"');
  });

  it('fails a write, retryably, when the output is gone', async () => {
    const out = capture(false);
    out.stream.destroy();
    const sink = new StdoutSink({ stream: out.stream });
    await expect(sink.write(consumed(rasaTurnLines()[0] as string))).rejects.toMatchObject({
      code: 'BROKER_SINK',
      canRetry: true,
    });
  });
});

describe('JsonLinesFileSink', () => {
  it('appends the exact bodies, one per line, across reopenings', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'jsonl-sink-')), 'events.jsonl');
    const lines = rasaTurnLines();
    const first = await JsonLinesFileSink.open({ path });
    await Promise.all(lines.slice(0, 4).map((line) => first.write(consumed(line))));
    await first.close();
    const second = await JsonLinesFileSink.open({ path, fsync: false });
    for (const line of lines.slice(4)) await second.write(consumed(line));
    await second.close();
    expect(readFileSync(path, 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it('says why the file cannot be opened', async () => {
    await expect(JsonLinesFileSink.open({ path: '/no/such/folder/events.jsonl' })).rejects.toThrowError(
      'Cannot open the output file /no/such/folder/events.jsonl for appending: its folder does not exist.',
    );
  });
});
