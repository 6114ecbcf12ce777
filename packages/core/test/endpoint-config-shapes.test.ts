import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  asEndpointConfig,
  ConfigError,
  FileEventBroker,
  FileMessageSource,
  slotSet,
  toEndpointConfig,
} from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'endpoint-shapes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(ConfigError.isInstance(error), `expected a ConfigError, got ${String(error)}`).toBe(true);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('asEndpointConfig: an EndpointConfig or a section as written', () => {
  it('splits a flat section the way toEndpointConfig does', () => {
    const flat = { type: 'pika', url: 'rabbit', port: 5673, queues: ['q'], token: 't' };
    expect(asEndpointConfig(flat)).toEqual(toEndpointConfig(flat));
  });

  it('takes an EndpointConfig as it is, and fills in what a hand-written one leaves out', () => {
    const config = toEndpointConfig(
      { type: 'kafka', url: 'k:9092', topic: 't' },
      'event_broker',
      '/app/e.yml',
    );
    expect(asEndpointConfig(config)).toEqual(config);
    expect(asEndpointConfig({ type: 'kafka', kwargs: { topic: 't' } })).toEqual({
      section: 'event_broker',
      type: 'kafka',
      url: undefined,
      kwargs: { topic: 't' },
      consumed: {},
      file: undefined,
    });
  });

  it('refuses a value that mixes the shapes, naming the stray keys and both ways to write it', () => {
    const config = toEndpointConfig({ type: 'pika', url: 'rabbit' }, 'event_broker', '/app/e.yml');
    const error = configError(() => asEndpointConfig({ ...config, queues: ['q'], port: 5673 }));
    expect(error).toMatchObject({ key: 'event_broker', file: '/app/e.yml' });
    expect(error.message).toContain('queues, port are not fields of an EndpointConfig');
    expect(error.message).toContain('{ type, url, queues, ... }');
    expect(configError(() => asEndpointConfig({ kwargs: 'queues: q' })).message).toContain(
      'kwargs and consumed must be objects',
    );
  });

  it('refuses what is not an object', () => {
    expect(configError(() => asEndpointConfig('type: pika' as never)).message).toContain(
      'must be an object (an endpoints.yml section or an EndpointConfig), got the string "type: pika"',
    );
  });
});

describe('the file broker and source read a flat section', () => {
  it('FileEventBroker.fromEndpointConfig({ type, path }) writes to that path', async () => {
    const path = join(dir, 'flat.log');
    const broker = FileEventBroker.fromEndpointConfig({ type: 'file', path });
    expect(broker.path).toBe(path);
    broker.publish({ sender_id: 'flat', ...slotSet('a', 1, { timestamp: 1 }) });
    await broker.close();
    expect(readFileSync(path, 'utf8')).toContain('"sender_id": "flat"');
    expect(configError(() => FileEventBroker.fromEndpointConfig({ type: 'file', pth: 'x' })).key).toBe(
      'event_broker.pth',
    );
  });

  it('FileMessageSource.fromEndpointConfig({ type, path }) reads that path', () => {
    const path = join(dir, 'flat-source.log');
    expect(FileMessageSource.fromEndpointConfig({ type: 'file', path }).description).toBe(path);
  });
});
