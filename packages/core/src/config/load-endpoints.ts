import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { ConfigError, EnvVarMissingError } from '../errors/errors';
import { isPlainObject } from '../events/field-checks';
import { censorText, isSecretKey } from '../logging/censor';
import { type Logger, noopLogger } from '../logging/logger';
import { type EndpointConfig, toEndpointConfig } from './endpoint-config';
import { ENV_VAR_PATTERN, type Environment, hideLiteralText, substituteEnvVars } from './env-substitution';

/** A plain scalar that Rasa's `!env_var` resolver would expand; expanded after loading, with its key path known. */
class EnvVarScalar {
  constructor(readonly raw: string) {}
}

const envVarType = new yaml.Type('!env_var', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && ENV_VAR_PATTERN.test(data),
  construct: (data: string) => new EnvVarScalar(data),
});

// js-yaml only tries implicit types on plain scalars: exactly Rasa's (ruamel's) rule.
const ENDPOINTS_SCHEMA = yaml.DEFAULT_SCHEMA.extend({ implicit: [envVarType] });

export interface LoadEndpointsOptions {
  /** Variables for `${VAR}`; default `process.env`. */
  env?: Environment;
  logger?: Logger;
}

/** The parsed `endpoints.yml`. */
export interface Endpoints {
  /** Absolute path of the file, when loaded from one. */
  file: string | undefined;
  /** The `event_broker` section, or null when it is missing or empty (no broker, as in Rasa). */
  eventBroker: EndpointConfig | null;
  /** Any section by name (`tracker_store`, `action_endpoint`, ...), or null. */
  section(name: string): EndpointConfig | null;
  /** The whole document after `${VAR}` substitution. */
  raw: Record<string, unknown>;
}

/**
 * Most values a document may have once YAML aliases are expanded. js-yaml keeps an alias as a
 * reference to the same object, so nested aliases (`b: [*a, *a, ...]`, `c: [*b, *b, ...]`)
 * cost nothing to parse but multiply when the tree is walked: a 500-byte file can stand for
 * billions of values. No real endpoints file comes near this bound.
 */
const MAX_EXPANDED_VALUES = 100_000;

function where(file: string | undefined): string {
  return file ? ` in ${file}` : '';
}

interface ExpandContext {
  env: Environment;
  file: string | undefined;
  logger: Logger;
  /** Values expanded so far, to stop an alias bomb before it exhausts memory. */
  values: number;
  /** The collections being expanded, outermost first: an alias to one of them is a cycle. */
  ancestors: Set<object>;
}

function inFile(context: ExpandContext): string {
  return context.file ? `The endpoints file ${context.file}` : 'The endpoints YAML';
}

/** A value as written, for messages: a secret key's shows only its variable references, a URL no password. */
function asWritten(value: string, path: string): string {
  const key =
    path
      .replace(/(\[\d+\])+$/, '')
      .split('.')
      .at(-1) ?? '';
  return isSecretKey(key) ? hideLiteralText(value) : censorText(value);
}

function expandTree(node: unknown, path: string, context: ExpandContext): unknown {
  if (++context.values > MAX_EXPANDED_VALUES) {
    throw new ConfigError(
      `${inFile(context)} holds more than ${MAX_EXPANDED_VALUES} values once its YAML aliases (*name) are expanded: ` +
        'each alias repeats what it points to, so nested aliases multiply. Write the values out instead of nesting aliases.',
      { file: context.file },
    );
  }
  if (node instanceof EnvVarScalar) {
    const { value, missing } = substituteEnvVars(node.raw, context.env);
    if (missing.length > 0) {
      throw new EnvVarMissingError(
        `Error when trying to expand the environment variables in '${asWritten(node.raw, path)}' (key ${path}${where(context.file)}). ` +
          `Please make sure to also set these environment variables: ${missing.map((m) => `'${m}'`).join(', ')}.`,
        missing,
        { key: path, ...(context.file ? { file: context.file } : {}) },
      );
    }
    if (value.includes('${')) {
      context.logger.warn(
        { key: path, file: context.file },
        `${path}: '${asWritten(node.raw, path)}' still contains \${...} after substitution (an unset variable inside a longer value is kept literally, as in Rasa)`,
      );
    }
    return value;
  }
  if (typeof node === 'string' && /\$\{[^}]*\}/.test(node)) {
    context.logger.warn(
      { key: path, file: context.file },
      `${path}: '${asWritten(node, path)}' is quoted (or a block scalar), so \${...} is not expanded (Rasa only expands plain, unquoted values); remove the quotes to use the environment variable`,
    );
    return node;
  }
  if (!Array.isArray(node) && !isPlainObject(node)) return node;
  if (context.ancestors.has(node)) {
    throw new ConfigError(
      `${inFile(context)} has a YAML alias at ${path} that points to a node containing it, so it never ends. Replace the alias with the values it should hold.`,
      { file: context.file, key: path },
    );
  }
  context.ancestors.add(node);
  const out = Array.isArray(node)
    ? node.map((item, i) => expandTree(item, `${path}[${i}]`, context))
    : Object.fromEntries(
        Object.entries(node).map(([key, value]) => [
          key,
          expandTree(value, path ? `${path}.${key}` : key, context),
        ]),
      );
  context.ancestors.delete(node);
  return out;
}

/** Parses endpoints YAML text with Rasa's semantics. `file` is only used in messages. */
export function parseEndpoints(
  text: string,
  options: LoadEndpointsOptions & { file?: string } = {},
): Endpoints {
  const file = options.file;
  let document: unknown;
  try {
    document = yaml.load(text, { schema: ENDPOINTS_SCHEMA, filename: file ?? 'endpoints.yml' });
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const position = mark ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : '';
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    throw new ConfigError(`Malformed YAML${where(file)}${position}: ${reason}.`, { file, cause: error });
  }
  if (document === undefined || document === null) document = {};
  if (!isPlainObject(document)) {
    throw new ConfigError(
      `The endpoints file${where(file)} must be a mapping of sections (event_broker: ...), not ${Array.isArray(document) ? 'a list' : typeof document}.`,
      {
        file,
      },
    );
  }
  const raw = expandTree(document, '', {
    env: options.env ?? process.env,
    file,
    logger: options.logger ?? noopLogger,
    values: 0,
    ancestors: new Set(),
  }) as Record<string, unknown>;
  const section = (name: string): EndpointConfig | null => {
    const value = raw[name];
    if (value === undefined || value === null) return null;
    if (!isPlainObject(value)) {
      throw new ConfigError(
        `${name}${where(file)} must be a mapping of keys (type: ..., url: ...), got ${typeof value}.`,
        {
          file,
          key: name,
        },
      );
    }
    return toEndpointConfig(value, name, file);
  };
  return { file, eventBroker: section('event_broker'), section, raw };
}

/** Reads and parses an `endpoints.yml` file. */
export function loadEndpoints(path: string, options: LoadEndpointsOptions = {}): Endpoints {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String(code ?? error);
    throw new ConfigError(`Cannot read the endpoints file ${file}: ${reason}.`, { file, cause: error });
  }
  return parseEndpoints(text, { ...options, file });
}
