import { afterEach, describe, expect, it, vi } from 'vitest';
import { AckCoalescer } from '../src/source/ack-coalescer';

function coalescer(batchSize = 4, maxDelayMs = 2) {
  const frames: string[] = [];
  const acks = new AckCoalescer((tag, multiple) => frames.push(multiple ? `<=${tag}` : `${tag}`), {
    batchSize,
    maxDelayMs,
  });
  return { acks, frames };
}

/**
 * What RabbitMQ considers acknowledged after these frames. Like RabbitMQ, it refuses an ack of a
 * tag that is not outstanding (acknowledged twice, or never delivered): that closes the channel.
 */
function acknowledged(frames: string[], delivered: number[]): number[] {
  const outstanding = new Set(delivered);
  const acked: number[] = [];
  for (const frame of frames) {
    const multiple = frame.startsWith('<=');
    const tag = Number(multiple ? frame.slice(2) : frame);
    if (!outstanding.has(tag)) throw new Error(`PRECONDITION_FAILED - unknown delivery tag ${tag}`);
    const covered = multiple ? [...outstanding].filter((t) => t <= tag) : [tag];
    for (const t of covered) {
      outstanding.delete(t);
      acked.push(t);
    }
  }
  return acked.sort((a, b) => a - b);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('AckCoalescer', () => {
  it('acknowledges a run of settled deliveries with one multiple ack once the batch is full', () => {
    const { acks, frames } = coalescer(4);
    for (let tag = 1; tag <= 6; tag++) acks.delivered(tag);
    for (const tag of [1, 2, 3]) acks.ack(tag);
    expect(frames).toEqual([]);
    acks.ack(4);
    expect(frames).toEqual(['<=4']);
  });

  it('never covers a delivery that was not settled', () => {
    const { acks, frames } = coalescer(2);
    const delivered = [1, 2, 3, 4, 5, 6, 7, 8];
    for (const tag of delivered) acks.delivered(tag);
    // 3 is still being handled: 4 to 7 wait behind it, then go one by one when too many wait.
    for (const tag of [1, 2, 4, 5, 6, 7]) acks.ack(tag);
    expect(acknowledged(frames, delivered)).toEqual([1, 2, 4, 5, 6, 7]);
    expect(frames[0]).toBe('<=2');
    acks.ack(3);
    acks.ack(8);
    acks.flush();
    expect(acknowledged(frames, delivered)).toEqual(delivered);
  });

  it('writes what waits after the delay, also behind a gap', () => {
    vi.useFakeTimers();
    const { acks, frames } = coalescer(16, 2);
    for (const tag of [1, 2, 3]) acks.delivered(tag);
    acks.ack(1);
    acks.ack(3);
    expect(frames).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(frames).toEqual(['<=1', '3']);
    acks.ack(2);
    vi.advanceTimersByTime(2);
    expect(frames).toEqual(['<=1', '3', '<=2']);
  });

  it('flush writes at once (before a channel closes); discard drops what waits', () => {
    vi.useFakeTimers();
    const { acks, frames } = coalescer(16, 2);
    for (const tag of [1, 2, 3]) acks.delivered(tag);
    acks.ack(1);
    acks.flush();
    expect(frames).toEqual(['<=1']);
    acks.ack(2);
    acks.discard();
    vi.advanceTimersByTime(10);
    expect(frames).toEqual(['<=1']);
  });
});
