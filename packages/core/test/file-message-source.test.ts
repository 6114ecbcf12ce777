import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createMessageSource,
  FileEventBroker,
  FileMessageSource,
  MissingDependencyError,
  type SourceMessage,
  slotSet,
  UnsupportedBrokerTypeError,
} from '../src/index';

describe('FileMessageSource', () => {
  it('delivers what the file broker wrote, never more than maxInFlight unsettled', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'file-source-')), 'rasa_event.log');
    const broker = new FileEventBroker({ path });
    for (let i = 0; i < 5; i++) broker.publish({ sender_id: 's', ...slotSet('i', i) });
    await broker.close();

    const source = await createMessageSource({ type: 'file', path });
    expect(source).toBeInstanceOf(FileMessageSource);
    const controller = new AbortController();
    const held: SourceMessage[] = [];
    const values: number[] = [];
    let consumingStarts = 0;
    const done = source.consume(
      (message) => {
        expect(consumingStarts).toBe(1);
        held.push(message);
        values.push(JSON.parse(message.body.toString()).value);
        if (values.length === 5) controller.abort();
        // Settle the oldest only once two are held: the source must wait for it.
        if (held.length === 2) void held.shift()!.settle({ outcome: 'ack' });
      },
      { maxInFlight: 2, signal: controller.signal, onConsuming: () => consumingStarts++ },
    );
    await done;
    expect(consumingStarts).toBe(1);
    expect(values).toEqual([0, 1, 2, 3, 4]);
    expect(held[0]!.position).toMatch(/rasa_event\.log:\d+$/);
  });
});

describe('createMessageSource', () => {
  it('says which adapter to install, and refuses types that cannot be consumed', async () => {
    const missing = async (specifier: string) => {
      throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const error = await createMessageSource(
      { type: 'kafka', url: 'k:9092' },
      { importModule: missing },
    ).catch((e) => e);
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect(error.message).toContain('npm install @broker/kafka');
    const memory = await createMessageSource({ type: 'memory' }).catch((e) => e);
    expect(UnsupportedBrokerTypeError.isInstance(memory)).toBe(true);
  });
});
