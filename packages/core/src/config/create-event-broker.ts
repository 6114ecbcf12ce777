import { dirname } from 'node:path';
import type { EventBroker } from '../broker/event-broker';
import { FileEventBroker } from '../broker/file-event-broker';
import { InMemoryEventBroker } from '../broker/in-memory-event-broker';
import { MissingDependencyError, UnsupportedBrokerTypeError } from '../errors/errors';
import { isPlainObject } from '../events/field-checks';
import { type Logger, noopLogger } from '../logging/logger';
import { customBrokerModule } from './custom-broker-module';
import { asEndpointConfig, type EndpointConfig } from './endpoint-config';
import { ADAPTER_PACKAGES, type AdapterType, importAdapterExport, isAdapterType } from './import-adapter';
import { asModuleNotFound, importModule, ModuleNotFound } from './load-module';

/** What a broker class (built-in adapter or custom) offers to be built from endpoints.yml. */
export interface EventBrokerFactory {
  fromEndpointConfig(config: EndpointConfig, deps: { logger: Logger }): EventBroker | Promise<EventBroker>;
}

export interface CreateEventBrokerOptions {
  logger?: Logger;
  /**
   * What an unknown `type` does: `error` (default) throws UnsupportedBrokerTypeError;
   * `warn` logs and returns null, i.e. runs without a broker, which is what Rasa does.
   */
  unknownType?: 'error' | 'warn';
  /** Where relative module paths and installed packages are looked up; default the endpoints file's folder. */
  baseDir?: string;
  /** Module loader, for bundlers and tests; default dynamic `import()` with workspace-aware fallbacks. */
  importModule?: (specifier: string, baseDir: string) => Promise<unknown>;
}

/** The adapter export that publishes. */
export const BROKER_EXPORTS = { pika: 'PikaEventBroker', kafka: 'KafkaEventBroker' } as const;

const BUILT_IN: Record<string, EventBrokerFactory> = {
  file: FileEventBroker,
  memory: InMemoryEventBroker,
  in_memory: InMemoryEventBroker,
};

function isFactory(value: unknown): value is EventBrokerFactory {
  return (
    (typeof value === 'function' || isPlainObject(value)) &&
    typeof (value as { fromEndpointConfig?: unknown }).fromEndpointConfig === 'function'
  );
}

async function loadAdapter(
  type: AdapterType,
  load: (specifier: string, baseDir: string) => Promise<unknown>,
  baseDir: string,
): Promise<EventBrokerFactory> {
  const exportName = BROKER_EXPORTS[type];
  const factory = await importAdapterExport(type, exportName, load, baseDir);
  if (!isFactory(factory)) {
    throw new MissingDependencyError(
      ADAPTER_PACKAGES[type].packageName,
      `${ADAPTER_PACKAGES[type].packageName}'s ${exportName} has no fromEndpointConfig(); install a version matching @broker/core.`,
    );
  }
  return factory;
}

async function loadCustom(
  type: string,
  config: EndpointConfig,
  load: (specifier: string, baseDir: string) => Promise<unknown>,
  baseDir: string,
): Promise<EventBrokerFactory> {
  const { specifier, exportName } = customBrokerModule(type, config, baseDir);
  let module: unknown;
  try {
    module = await load(specifier, baseDir);
  } catch (caught) {
    const error = asModuleNotFound(caught, specifier);
    const reason =
      error instanceof ModuleNotFound
        ? `module '${error.missing}' was not found`
        : String((error as Error).message ?? error);
    throw new UnsupportedBrokerTypeError(
      type,
      `event_broker type '${type}'${config.file ? ` in ${config.file}` : ''} is not a broker we know (pika, kafka, file, memory) ` +
        `and could not be loaded as a module: ${reason}. For a custom broker use a module path such as ` +
        "'./my-broker.js#MyBroker' whose export has a static fromEndpointConfig().",
      { cause: error, file: config.file },
    );
  }
  const exports = module as Record<string, unknown>;
  const candidate = exportName ? exports[exportName] : (exports.default ?? exports);
  if (!isFactory(candidate)) {
    throw new UnsupportedBrokerTypeError(
      type,
      `event_broker type '${type}': the module loaded, but ${exportName ? `its export '${exportName}'` : 'its default export'} has no fromEndpointConfig() function.`,
      { file: config.file },
    );
  }
  return candidate;
}

function resolveType(type: string | undefined): string {
  // Rasa: a missing type means pika; the built-in names are case-insensitive.
  if (type === undefined || type.trim() === '') return 'pika';
  const lower = type.trim().toLowerCase();
  return isAdapterType(lower) || lower in BUILT_IN || lower === 'sql' ? lower : type.trim();
}

/**
 * Builds the broker an `event_broker` section describes, as Rasa's `EventBroker.create` does:
 * `pika` (also when `type` is missing), `kafka`, `file`, `memory`, or a module path to a
 * custom broker. Adapters are imported only when asked for. Returns null for a missing section.
 */
export async function createEventBroker(
  config: EndpointConfig | Record<string, unknown> | null | undefined,
  options: CreateEventBrokerOptions = {},
): Promise<EventBroker | null> {
  if (config === null || config === undefined) return null;
  const endpoint = asEndpointConfig(config);
  const logger = options.logger ?? noopLogger;
  const load = options.importModule ?? importModule;
  const baseDir = options.baseDir ?? (endpoint.file ? dirname(endpoint.file) : process.cwd());
  for (const key of Object.keys(endpoint.consumed)) {
    logger.warn(
      { key: `${endpoint.section}.${key}` },
      `${endpoint.section}.${key} is one of Rasa's endpoint parameters and never reaches an event broker; it is ignored`,
    );
  }
  const type = resolveType(endpoint.type);
  if (type === 'sql') {
    throw new UnsupportedBrokerTypeError(
      'sql',
      "event_broker type 'sql' (Rasa's SQL broker) is not provided by @broker/*. Use type: file, pika or kafka, " +
        'or the PostgreSQL sink of @broker/consumers to store events in a database.',
      { file: endpoint.file },
    );
  }
  let factory: EventBrokerFactory;
  try {
    factory =
      BUILT_IN[type] ??
      (isAdapterType(type)
        ? await loadAdapter(type, load, baseDir)
        : await loadCustom(type, endpoint, load, baseDir));
  } catch (error) {
    if (options.unknownType === 'warn' && UnsupportedBrokerTypeError.isInstance(error)) {
      logger.warn({ err: error }, `${error.message} Not using any event broker.`);
      return null;
    }
    throw error;
  }
  return factory.fromEndpointConfig(endpoint, { logger });
}
