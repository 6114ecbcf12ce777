import { censorText, isSecretKey } from '../logging/censor';
import { isBranded } from './brand';

/** Causes of causes kept below a BrokerError; deeper ones are cut. */
const MAX_DEPTH = 8;

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return censorText(end < 0 ? text : text.slice(0, end).trimEnd());
}

/** Own property `key` of `value`, or undefined when reading it throws (a getter, a proxy). */
function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function ownKeys(value: object): string[] {
  try {
    return Object.keys(value);
  } catch {
    return [];
  }
}

function safeField(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (isSecretKey(key)) return '***';
  if (typeof value === 'string') return firstLine(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  return undefined;
}

/**
 * What a BrokerError keeps of a foreign error (a library's, a handler's): a plain Error with the
 * same name, the first line of its message, its stack frames, its own fields that hold plain
 * values, and its causes, each cleaned the same way. A BrokerError is kept as it is (it was
 * cleaned when it was built).
 *
 * Libraries put text a secret may sit in on their errors: js-yaml's message shows the lines
 * around a YAML error and its `mark.buffer` holds the whole file; Node's URL errors keep the
 * `input`. So texts keep their first line with URL credentials hidden, secret-looking fields
 * become `***`, and objects other than causes are dropped.
 */
export function redactCause(cause: unknown, depth = 0): unknown {
  if (isBranded(cause)) return cause;
  if (typeof cause === 'string') return firstLine(cause);
  if (typeof cause !== 'object' || cause === null) return cause;
  const name = String(read(cause, 'name') ?? 'Error');
  const message = firstLine(String(read(cause, 'message') ?? ''));
  const inner = depth < MAX_DEPTH ? read(cause, 'cause') : undefined;
  const copy = new Error(message, inner === undefined ? undefined : { cause: redactCause(inner, depth + 1) });
  Object.defineProperty(copy, 'name', { value: name, writable: true, configurable: true });
  const stack = read(cause, 'stack');
  const frames = typeof stack === 'string' ? stack.split('\n').filter((line) => /^\s+at /.test(line)) : [];
  Object.defineProperty(copy, 'stack', {
    value: [`${name}: ${message}`, ...frames.map(censorText)].join('\n'),
    writable: true,
    configurable: true,
  });
  const fields = copy as unknown as Record<string, unknown>;
  for (const key of ownKeys(cause)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    const value = read(cause, key);
    if (key === 'errors' && Array.isArray(value) && depth < MAX_DEPTH) {
      fields.errors = value.map((error) => redactCause(error, depth + 1));
      continue;
    }
    const safe = safeField(key, value);
    if (safe !== undefined) fields[key] = safe;
  }
  return copy;
}

/** `details` of a BrokerError with secret-looking fields as `***` and URL credentials hidden, at any depth. */
export function redactDetails(details: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) out[key] = redactDetail(key, value, depth);
  return out;
}

function redactDetail(key: string, value: unknown, depth: number): unknown {
  if (value === undefined || value === null) return value;
  if (isSecretKey(key)) return '***';
  if (typeof value === 'string') return censorText(value);
  if (typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested too deeply]';
  if (Array.isArray(value)) return value.map((item) => redactDetail(key, item, depth + 1));
  if (isBranded(value) || value instanceof Error) return redactCause(value, depth + 1);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return censorText(String(value));
  return redactDetails(value as Record<string, unknown>, depth + 1);
}
