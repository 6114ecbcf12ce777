import { isAbsolute } from 'node:path';
import { importModule } from '@broker/core';

function isNotFound(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    String((error as Error).message).includes(`'${specifier}'`)
  );
}

/**
 * Loads an adapter (`@broker/pika`, `@broker/kafka`) from next to this package first, where
 * it is installed as an optional peer, then the way @broker/core does (relative to the
 * endpoints file and the working directory). Without the first step, a package manager that
 * isolates @broker/core from its dependents (pnpm) would not find an installed adapter.
 */
export async function importAdapter(specifier: string, baseDir: string): Promise<unknown> {
  if (specifier.startsWith('.') || isAbsolute(specifier)) return importModule(specifier, baseDir);
  try {
    return await import(specifier);
  } catch (error) {
    if (!isNotFound(error, specifier)) throw error;
    return importModule(specifier, baseDir);
  }
}
