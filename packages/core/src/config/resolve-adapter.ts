import {
  ADAPTER_SPECIFICATION_VERSION,
  type AdapterDeps,
  type AdapterDescriptor,
  isAdapterDescriptor,
} from '../adapter/adapter-descriptor';
import { BUILT_IN_ADAPTERS } from '../adapter/built-in-adapters';
import type { EventBroker } from '../broker/event-broker';
import { MissingDependencyError, UnsupportedBrokerTypeError } from '../errors/errors';
import { isPlainObject } from '../events/field-checks';
import { customBrokerModule } from './custom-broker-module';
import type { EndpointConfig } from './endpoint-config';
import { asModuleNotFound, ModuleNotFound } from './load-module';

/** Adapters that live in a package of their own, imported only when an endpoints file asks for one. */
const ADAPTER_PACKAGES: Readonly<Record<string, { packageName: string; client: string }>> = {
  pika: { packageName: '@broker/pika', client: 'amqplib' },
  kafka: { packageName: '@broker/kafka', client: 'kafkajs' },
};

export type ModuleLoader = (specifier: string, baseDir: string) => Promise<unknown>;

/** What a custom broker class (the form before descriptors) offers to be built from endpoints.yml. */
export interface EventBrokerFactory {
  fromEndpointConfig(config: EndpointConfig, deps: AdapterDeps): EventBroker | Promise<EventBroker>;
}

/** The `type` as core reads it: missing means pika (as in Rasa); the names core knows are case-insensitive. */
export function adapterType(type: string | undefined): string {
  if (type === undefined || type.trim() === '') return 'pika';
  const lower = type.trim().toLowerCase();
  return lower in ADAPTER_PACKAGES || lower in BUILT_IN_ADAPTERS || lower === 'sql' ? lower : type.trim();
}

/** `type` names an adapter core knows (built in or in an adapter package), not a module path. */
export function isKnownAdapterType(type: string): boolean {
  return type in ADAPTER_PACKAGES || type in BUILT_IN_ADAPTERS;
}

/**
 * Finds the adapter for a known `type`: built in, or the `adapter` export of its package. A
 * missing package is a MissingDependencyError that says what to install; a package of another
 * contract version says to install a matching one.
 */
export async function findAdapter(
  type: string,
  load: ModuleLoader,
  baseDir: string,
): Promise<AdapterDescriptor> {
  const builtIn = BUILT_IN_ADAPTERS[type];
  if (builtIn) return builtIn;
  const known = ADAPTER_PACKAGES[type];
  if (!known) throw new TypeError(`findAdapter: '${type}' is not a known adapter type`);
  const { packageName, client } = known;
  let module: unknown;
  try {
    module = await load(packageName, baseDir);
  } catch (caught) {
    const error = asModuleNotFound(caught, packageName);
    if (!(error instanceof ModuleNotFound)) throw error;
    throw new MissingDependencyError(
      error.missing,
      error.missing === packageName
        ? `event_broker type '${type}' needs the ${packageName} package, which is not installed. Install it with \`npm install ${packageName}\` (it brings ${client}).`
        : `${packageName} is installed but its dependency ${error.missing} is missing. Reinstall with \`npm install ${packageName}\`.`,
      { cause: error },
    );
  }
  const descriptor = (module as { adapter?: unknown } | undefined)?.adapter;
  if (!isAdapterDescriptor(descriptor)) {
    throw new MissingDependencyError(
      packageName,
      `${packageName} does not export an adapter for version ${ADAPTER_SPECIFICATION_VERSION} of the adapter contract; install a version matching @broker/core.`,
    );
  }
  return descriptor;
}

function isFactory(value: unknown): value is EventBrokerFactory {
  return (
    (typeof value === 'function' || isPlainObject(value)) &&
    typeof (value as { fromEndpointConfig?: unknown }).fromEndpointConfig === 'function'
  );
}

/**
 * Loads a custom broker from the module path an `event_broker.type` names: an adapter
 * descriptor, or a class (or object) with a static `fromEndpointConfig()`.
 */
export async function loadCustomAdapter(
  type: string,
  config: EndpointConfig,
  load: ModuleLoader,
  baseDir: string,
): Promise<AdapterDescriptor> {
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
        "'./my-broker.js#MyBroker' whose export is an adapter (defineAdapter) or has a static fromEndpointConfig().",
      { cause: error, file: config.file },
    );
  }
  const exports = module as Record<string, unknown>;
  const candidate = exportName ? exports[exportName] : (exports.adapter ?? exports.default ?? exports);
  if (isAdapterDescriptor(candidate) && candidate.createBroker) return candidate;
  if (isFactory(candidate)) {
    return {
      specificationVersion: ADAPTER_SPECIFICATION_VERSION,
      type,
      packageName: specifier,
      createBroker: (section, deps) => candidate.fromEndpointConfig(section, deps),
    };
  }
  throw new UnsupportedBrokerTypeError(
    type,
    `event_broker type '${type}': the module loaded, but ${exportName ? `its export '${exportName}'` : 'its default export'} has no fromEndpointConfig() function and is not an adapter with createBroker() (defineAdapter).`,
    { file: config.file },
  );
}
