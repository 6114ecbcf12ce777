import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ADAPTER_SPECIFICATION_VERSION,
  createEventBroker,
  createMessageSource,
  defineAdapter,
  FileMessageSource,
  InMemoryEventBroker,
  isAdapterDescriptor,
  MissingDependencyError,
  parseEndpoints,
  UnsupportedBrokerTypeError,
} from '../src/index';

const publishing = {
  specificationVersion: ADAPTER_SPECIFICATION_VERSION,
  type: 'kafka',
  packageName: '@broker/kafka',
  createBroker: () => new InMemoryEventBroker(),
} as const;

describe('adapter descriptors', () => {
  it('defineAdapter refuses a descriptor without a role, a type or the contract version', () => {
    expect(() => defineAdapter({ ...publishing, createBroker: undefined } as never)).toThrow(
      /needs specificationVersion 1, a type, a packageName and createBroker or createSource/,
    );
    expect(() => defineAdapter({ ...publishing, specificationVersion: 2 } as never)).toThrow(TypeError);
    expect(() => defineAdapter({ ...publishing, type: undefined } as never)).toThrow(TypeError);
    expect(isAdapterDescriptor(defineAdapter(publishing))).toBe(true);
  });

  it('an adapter package of another contract version says to install a matching one', async () => {
    const importModule = async () => ({ adapter: { ...publishing, specificationVersion: 0 } });
    const error = await createEventBroker({ type: 'kafka' }, { importModule }).catch((e: unknown) => e);
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ packageName: '@broker/kafka' });
    expect((error as Error).message).toBe(
      '@broker/kafka does not export an adapter for version 1 of the adapter contract; install a version matching @broker/core.',
    );
  });

  it('an adapter package that only publishes cannot be consumed from', async () => {
    const importModule = async () => ({ adapter: publishing });
    const error = await createMessageSource({ type: 'kafka', topic: 't' }, { importModule }).catch(
      (e: unknown) => e,
    );
    expect(UnsupportedBrokerTypeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("Cannot consume from event_broker type 'kafka'");
  });

  it('the built-in file adapter builds both sides; memory only publishes', async () => {
    const source = await createMessageSource({ type: 'FILE', path: 'events.jsonl' });
    expect(source).toBeInstanceOf(FileMessageSource);
    expect(await createEventBroker({ type: 'in_memory' })).toBeInstanceOf(InMemoryEventBroker);
    const error = await createMessageSource({ type: 'memory' }).catch((e: unknown) => e);
    expect(UnsupportedBrokerTypeError.isInstance(error)).toBe(true);
  });

  it('a custom module path may export an adapter descriptor instead of a class', async () => {
    const file = join(__dirname, 'fixtures/custom-broker/endpoints.yml');
    const config = parseEndpoints('event_broker:\n  type: ./my-adapter.mjs\n  anything: 1\n', {
      file,
    }).eventBroker;
    const broker = (await createEventBroker(config)) as unknown as { config: { kwargs: unknown } };
    expect(broker.config.kwargs).toEqual({ anything: 1 });
  });
});
