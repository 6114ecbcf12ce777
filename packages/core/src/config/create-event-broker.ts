import { dirname } from 'node:path';
import type { AdapterDescriptor } from '../adapter/adapter-descriptor';
import type { EventBroker } from '../broker/event-broker';
import { UnsupportedBrokerTypeError } from '../errors/errors';
import { type Logger, noopLogger } from '../logging/logger';
import { asEndpointConfig, type EndpointConfig } from './endpoint-config';
import { importModule } from './load-module';
import { adapterType, findAdapter, isKnownAdapterType, loadCustomAdapter } from './resolve-adapter';

export type { EventBrokerFactory } from './resolve-adapter';

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
  const type = adapterType(endpoint.type);
  if (type === 'sql') {
    throw new UnsupportedBrokerTypeError(
      'sql',
      "event_broker type 'sql' (Rasa's SQL broker) is not provided by @broker/*. Use type: file, pika or kafka, " +
        'or the PostgreSQL sink of @broker/consumers to store events in a database.',
      { file: endpoint.file },
    );
  }
  let adapter: AdapterDescriptor;
  try {
    adapter = isKnownAdapterType(type)
      ? await findAdapter(type, load, baseDir)
      : await loadCustomAdapter(type, endpoint, load, baseDir);
  } catch (error) {
    if (options.unknownType === 'warn' && UnsupportedBrokerTypeError.isInstance(error)) {
      logger.warn({ err: error }, `${error.message} Not using any event broker.`);
      return null;
    }
    throw error;
  }
  if (!adapter.createBroker) {
    throw new UnsupportedBrokerTypeError(
      type,
      `event_broker type '${type}' (${adapter.packageName}) cannot publish.`,
      {
        file: endpoint.file,
      },
    );
  }
  return adapter.createBroker(endpoint, { logger });
}
