import { MissingDependencyError } from '../errors/errors';
import { asModuleNotFound, ModuleNotFound } from './load-module';

/** Broker types that live in their own package, loaded only when an endpoints file asks for them. */
export const ADAPTER_PACKAGES = {
  pika: { packageName: '@broker/pika', client: 'amqplib' },
  kafka: { packageName: '@broker/kafka', client: 'kafkajs' },
} as const;

export type AdapterType = keyof typeof ADAPTER_PACKAGES;

export function isAdapterType(type: string): type is AdapterType {
  return type in ADAPTER_PACKAGES;
}

/**
 * Imports one export of an adapter package. A missing package is a MissingDependencyError that
 * says what to install; a package missing its own dependency says that instead.
 */
export async function importAdapterExport(
  type: AdapterType,
  exportName: string,
  load: (specifier: string, baseDir: string) => Promise<unknown>,
  baseDir: string,
): Promise<unknown> {
  const { packageName, client } = ADAPTER_PACKAGES[type];
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
  const value = (module as Record<string, unknown>)[exportName];
  if (value === undefined) {
    throw new MissingDependencyError(
      packageName,
      `${packageName} does not export ${exportName}; install a version matching @broker/core.`,
    );
  }
  return value;
}
