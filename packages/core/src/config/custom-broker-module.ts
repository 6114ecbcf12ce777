import { isAbsolute, relative, resolve } from 'node:path';
import { ConfigError } from '../errors/errors';
import type { EndpointConfig } from './endpoint-config';

/** Where a custom broker's code comes from: a module specifier and, after `#`, the export to use. */
export interface CustomBrokerModule {
  specifier: string;
  exportName: string | undefined;
}

/**
 * A package name with an optional subpath (`my-broker`, `@acme/broker/rasa`), Rasa's dotted
 * `my_pkg.MyBroker` included. No `:` (so no URL scheme, no drive letter) and no leading `/`,
 * `.` or `~`.
 */
const PACKAGE_SPECIFIER = /^(@[A-Za-z0-9][\w.~-]*\/)?[A-Za-z0-9_][\w.~-]*(\/[\w.~-]+)*$/;

function shown(specifier: string): string {
  return JSON.stringify(specifier.length > 60 ? `${specifier.slice(0, 60)}…` : specifier);
}

/**
 * Checks the `type` of an endpoints section that names a custom broker. `type` loads and runs
 * code, and endpoints.yml is often filled from environment variables or written by other
 * tools, so it may only name a module inside the endpoints file's folder (a `./` or `../` path
 * that stays in that folder tree) or an installed package. URLs (`data:`, `file:`, `http:`,
 * `node:`), absolute paths and paths leaving the folder are refused before anything is loaded.
 */
export function customBrokerModule(
  type: string,
  config: EndpointConfig,
  baseDir: string,
): CustomBrokerModule {
  const hash = type.indexOf('#');
  const specifier = hash < 0 ? type : type.slice(0, hash);
  const exportName = hash < 0 ? undefined : type.slice(hash + 1);
  const refuse = (problem: string): never => {
    throw new ConfigError(
      `${config.section}.type${config.file ? ` in ${config.file}` : ''} is ${problem}. \`type\` loads and runs code, so a custom broker ` +
        `must be a path relative to the endpoints file that stays in its folder (./my-broker.js#MyBroker) or the name of an ` +
        'installed package (my-broker-package#MyBroker): put the module next to the endpoints file or install it.',
      { file: config.file, key: `${config.section}.type` },
    );
  };
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    const inside = relative(resolve(baseDir), resolve(baseDir, specifier));
    if (inside.startsWith('..') || isAbsolute(inside)) {
      refuse(`${shown(specifier)}, a path outside ${resolve(baseDir)}`);
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) {
    refuse(`the URL ${shown(specifier)}`);
  } else if (isAbsolute(specifier) || /^[a-z]:[\\/]/i.test(specifier)) {
    refuse(`the absolute path ${shown(specifier)}`);
  } else if (!PACKAGE_SPECIFIER.test(specifier) || specifier.split('/').some((part) => /^\.+$/.test(part))) {
    refuse(`${shown(specifier)}, which is neither a relative path nor a package name`);
  }
  return { specifier, exportName };
}
