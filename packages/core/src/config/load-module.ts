import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Thrown by `importModule` when the specifier itself (not one of its dependencies) is not installed. */
export class ModuleNotFound extends Error {
  constructor(
    readonly specifier: string,
    readonly missing: string,
    options: { cause: unknown },
  ) {
    super(`Cannot find module '${missing}'`, options);
  }
}

function missingModuleName(error: unknown): string | undefined {
  const code = (error as { code?: string }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const message = String((error as Error).message);
  return /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
}

/** Turns a loader's "cannot find module" error into ModuleNotFound; other errors come back as they are. */
export function asModuleNotFound(error: unknown, specifier: string): unknown {
  if (error instanceof ModuleNotFound) return error;
  const missing = missingModuleName(error);
  return missing === undefined ? error : new ModuleNotFound(specifier, missing, { cause: error });
}

function packageNameOf(specifier: string): string {
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
}

/**
 * Imports `specifier` the way a user expects from a config file: relative paths against
 * `baseDir`, package names from this package first, then from `baseDir` and the working
 * directory (so an adapter installed next to the application is found even when package
 * managers isolate @broker/core from it).
 */
export async function importModule(specifier: string, baseDir: string = process.cwd()): Promise<unknown> {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const path = resolve(baseDir, specifier);
    try {
      return await import(pathToFileURL(path).href);
    } catch (error) {
      const missing = missingModuleName(error);
      if (missing !== undefined) throw new ModuleNotFound(specifier, missing, { cause: error });
      throw error;
    }
  }
  let firstError: unknown;
  try {
    return await import(specifier);
  } catch (error) {
    firstError = error;
    const missing = missingModuleName(error);
    if (missing === undefined) throw error;
    // A dependency of the module is missing, not the module: that is the real problem to report.
    if (packageNameOf(missing) !== packageNameOf(specifier))
      throw new ModuleNotFound(specifier, missing, { cause: error });
  }
  for (const dir of new Set([baseDir, process.cwd()])) {
    let resolved: string;
    try {
      resolved = createRequire(join(dir, 'noop.js')).resolve(specifier);
    } catch {
      continue;
    }
    return import(pathToFileURL(resolved).href);
  }
  throw new ModuleNotFound(specifier, specifier, { cause: firstError });
}
