import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ADAPTER_SPECIFICATION_VERSION,
  ConfigError,
  createEventBroker,
  defineAdapter,
  FileEventBroker,
  InMemoryEventBroker,
  type Logger,
  loadEndpoints,
  MissingDependencyError,
  parseEndpoints,
  UnsupportedBrokerTypeError,
} from '../src/index';

const fixtureDir = join(__dirname, 'fixtures/custom-broker');

function collectingLogger(lines: string[]): Logger {
  const log = (a: unknown, b?: string) => lines.push(typeof a === 'string' ? a : (b ?? ''));
  return { debug: () => {}, info: () => {}, warn: log, error: log };
}

const neverInstalled = async (specifier: string) => {
  const error = Object.assign(new Error(`Cannot find package '${specifier}' imported from /app`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  throw error;
};

describe('createEventBroker', () => {
  it('returns null when there is no event_broker section', async () => {
    expect(await createEventBroker(null)).toBeNull();
    expect(await createEventBroker(parseEndpoints('').eventBroker)).toBeNull();
  });

  it.each(['file', 'FILE', 'File'])('builds the file broker for type %s (case-insensitive)', async (type) => {
    const path = join(tmpdir(), `create-${type}.log`);
    const broker = await createEventBroker({ type, path });
    expect(broker).toBeInstanceOf(FileEventBroker);
    expect((broker as FileEventBroker).path).toBe(path);
    await broker!.close();
  });

  it('builds the in-memory broker for type memory', async () => {
    const broker = await createEventBroker({ type: 'memory' });
    expect(broker).toBeInstanceOf(InMemoryEventBroker);
  });

  it.each([
    [undefined, '@broker/pika'],
    ['pika', '@broker/pika'],
    ['PIKA', '@broker/pika'],
    ['kafka', '@broker/kafka'],
  ])(
    'loads the adapter package lazily for type %s and says what to install when it is missing',
    async (type, pkg) => {
      const requested: string[] = [];
      const importer = async (specifier: string) => {
        requested.push(specifier);
        return neverInstalled(specifier);
      };
      const error = await createEventBroker({ type, url: 'localhost' }, { importModule: importer }).catch(
        (e) => e,
      );
      expect(requested).toEqual([pkg]);
      expect(MissingDependencyError.isInstance(error)).toBe(true);
      expect(error.packageName).toBe(pkg);
      expect(error.message).toContain(`npm install ${pkg}`);
    },
  );

  it('hands the endpoint config and logger to the adapter', async () => {
    const seen: unknown[] = [];
    const fakeAdapter = {
      adapter: defineAdapter({
        specificationVersion: ADAPTER_SPECIFICATION_VERSION,
        type: 'kafka',
        packageName: '@broker/kafka',
        createBroker: (config, deps) => {
          seen.push(config, deps);
          return new InMemoryEventBroker();
        },
      }),
    };
    const config = parseEndpoints('event_broker:\n  type: kafka\n  url: k:9092\n  topic: t\n').eventBroker;
    await createEventBroker(config, { importModule: async () => fakeAdapter });
    expect(seen[0]).toMatchObject({ type: 'kafka', url: 'k:9092', kwargs: { topic: 't' } });
    expect(seen[1]).toHaveProperty('logger');
  });

  it('refuses Rasa SQL brokers with a pointer to what to use instead', async () => {
    const error = await createEventBroker({ type: 'sql', db: ':memory:' }).catch((e) => e);
    expect(UnsupportedBrokerTypeError.isInstance(error)).toBe(true);
    expect(error.message).toContain('PostgreSQL sink');
  });

  it("refuses Rasa 3.x's sql_endpoint.yml fixture, loaded from the file, with UnsupportedBrokerTypeError", async () => {
    const file = join(__dirname, 'fixtures/rasa/endpoints/rasa-3.x/sql_endpoint.yml');
    const config = loadEndpoints(file).eventBroker;
    expect(config).toMatchObject({ type: 'sql', kwargs: { db: ':memory:', dialect: 'sqlite' }, file });
    const error = await createEventBroker(config).catch((e: unknown) => e);
    expect(UnsupportedBrokerTypeError.isInstance(error), `got ${String(error)}`).toBe(true);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'BROKER_UNSUPPORTED_TYPE',
      type: 'sql',
      key: 'event_broker.type',
      canRetry: false,
      file,
    });
    expect((error as Error).message).toMatch(/type 'sql' \(Rasa's SQL broker\) is not provided/);
    // Upper case, as Rasa's docs write it, is the same type.
    const upper = await createEventBroker({ ...config!, type: 'SQL' }).catch((e: unknown) => e);
    expect(UnsupportedBrokerTypeError.isInstance(upper)).toBe(true);
  });

  it('loads a custom broker from a module path relative to the endpoints file', async () => {
    const file = join(fixtureDir, 'endpoints.yml');
    const config = parseEndpoints('event_broker:\n  type: ./my-broker.mjs#MyBroker\n  anything: 1\n', {
      file,
    }).eventBroker;
    const broker = (await createEventBroker(config)) as unknown as { config: { kwargs: unknown } };
    expect(broker.config.kwargs).toEqual({ anything: 1 });
    const byDefault = await createEventBroker(
      parseEndpoints('event_broker:\n  type: ./my-broker.mjs\n', { file }).eventBroker,
    );
    expect(byDefault?.isReady()).toBe(true);
  });

  it('fails on an unknown type by default, naming the type and what is accepted', async () => {
    const error = await createEventBroker({ type: 'rabbitmq' }).catch((e) => e);
    expect(UnsupportedBrokerTypeError.isInstance(error)).toBe(true);
    expect(error.message).toContain("type 'rabbitmq'");
    expect(error.message).toContain('pika, kafka, file, memory');
  });

  it('runs without a broker on an unknown type when asked to, like Rasa, with a warning', async () => {
    const lines: string[] = [];
    const broker = await createEventBroker(
      { type: 'my_pkg.MyBroker' },
      { unknownType: 'warn', logger: collectingLogger(lines) },
    );
    expect(broker).toBeNull();
    expect(lines.join('\n')).toContain('Not using any event broker');
  });

  it('reports a custom module whose own dependency is missing, or that exports no factory', async () => {
    const file = join(fixtureDir, 'endpoints.yml');
    const broken = await createEventBroker(
      parseEndpoints('event_broker:\n  type: ./broken.mjs\n', { file }).eventBroker,
    ).catch((e) => e);
    expect(broken.message).toContain("module 'a-package-that-is-not-installed' was not found");
    const noFactory = await createEventBroker(
      parseEndpoints('event_broker:\n  type: ./my-broker.mjs#nothing\n', { file }).eventBroker,
    ).catch((e) => e);
    expect(noFactory.message).toContain("export 'nothing' has no fromEndpointConfig()");
  });

  it('warns about Rasa endpoint parameters that never reach a broker', async () => {
    const lines: string[] = [];
    await createEventBroker({ type: 'memory', headers: { a: 'b' } }, { logger: collectingLogger(lines) });
    expect(lines.join('\n')).toContain('event_broker.headers is one of Rasa');
  });
});

describe('type: loads code only from the endpoints folder or an installed package', () => {
  const file = join(fixtureDir, 'endpoints.yml');
  const payload =
    'data:text/javascript,globalThis.typeWasRun=true;export default {fromEndpointConfig(){return {isReady(){return true}}}}';

  async function refusal(type: string, env: Record<string, string> = {}) {
    const requested: string[] = [];
    const config = parseEndpoints(`event_broker:\n  type: ${type}\n`, { file, env }).eventBroker;
    const error = await createEventBroker(config, {
      unknownType: 'warn',
      importModule: async (specifier) => {
        requested.push(specifier);
        return import(specifier);
      },
    }).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error), `got ${String(error)}`).toBe(true);
    expect(UnsupportedBrokerTypeError.isInstance(error)).toBe(false);
    expect(error).toMatchObject({ code: 'BROKER_CONFIG', file, key: 'event_broker.type' });
    expect((error as Error).message).toContain('`type` loads and runs code');
    expect(requested).toEqual([]);
    return (error as Error).message;
  }

  it('refuses a data: URL without running it, also with the default loader', async () => {
    expect(await refusal(`"${payload}"`)).toContain('is the URL "data:text/javascript');
    const error = await createEventBroker({ type: payload }).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((globalThis as { typeWasRun?: boolean }).typeWasRun).toBeUndefined();
  });

  it.each([
    ['a file: URL', pathToFileURL(join(fixtureDir, 'my-broker.mjs')).href, 'is the URL'],
    ['a node: built-in', 'node:child_process', 'is the URL'],
    ['an https: URL', 'https://example.com/broker.mjs', 'is the URL'],
    ['an absolute path', join(fixtureDir, 'my-broker.mjs'), 'is the absolute path'],
    ['a path leaving the folder', '../../../../../tmp/evil.mjs#Evil', `a path outside ${fixtureDir}`],
    [
      'a path that goes back out through a sub-folder',
      './sub/../../evil.mjs',
      `a path outside ${fixtureDir}`,
    ],
    ['a home-relative path', '~/evil.mjs', 'neither a relative path nor a package name'],
    [
      'a package path climbing out',
      'some-package/../../evil.mjs',
      'neither a relative path nor a package name',
    ],
  ])('refuses %s before loading anything', async (_, type, problem) => {
    expect(await refusal(type)).toContain(problem);
  });

  it('checks the value after ${VAR} substitution', async () => {
    expect(await refusal('${BROKER_TYPE}', { BROKER_TYPE: payload })).toContain('is the URL');
    expect(await refusal('${BROKER_DIR}/my-broker.mjs', { BROKER_DIR: fixtureDir })).toContain(
      'is the absolute path',
    );
  });

  it('still loads a module inside the folder, and hands package names (Rasa dotted ones too) to the loader', async () => {
    const inside = await createEventBroker(
      parseEndpoints('event_broker:\n  type: ./sub/../my-broker.mjs#MyBroker\n', { file }).eventBroker,
    );
    expect(inside?.isReady()).toBe(true);
    const requested: string[] = [];
    for (const type of ['my_pkg.MyBroker', '@acme/rasa-broker/broker#Broker', 'rasa_broker.v2.Broker']) {
      const error = await createEventBroker(
        { type },
        {
          importModule: async (specifier) => {
            requested.push(specifier);
            return neverInstalled(specifier);
          },
        },
      ).catch((caught: unknown) => caught);
      expect(UnsupportedBrokerTypeError.isInstance(error), `got ${String(error)}`).toBe(true);
    }
    expect(requested).toEqual(['my_pkg.MyBroker', '@acme/rasa-broker/broker', 'rasa_broker.v2.Broker']);
  });
});
