import { ConfigError } from '../errors/errors';
import { describeValue, isPlainObject } from '../events/field-checks';
import { isSecretKey } from '../logging/censor';
import { type Logger, noopLogger } from '../logging/logger';

export interface ConfigReaderContext {
  /** Prefix for key names in messages: `event_broker` for YAML, `PikaEventBroker options` for code. */
  prefix: string;
  file?: string | undefined;
  logger?: Logger | undefined;
  /** Keys whose values are never shown, besides those whose names look secret. */
  secretKeys?: readonly string[] | undefined;
}

/** Options every ConfigReader getter takes. */
export interface ReadOptions<T> {
  default?: T;
  /** Other names accepted for the same setting (e.g. the Python spellings of the Rasa documentation). */
  aliases?: readonly string[];
}

/**
 * Reads broker settings with the coercions endpoints.yml needs (`${VAR}` substitution always
 * yields strings, so "5672" is a port and "true" a boolean) and typed errors that name the key,
 * the file and what was expected. Keys never read are reported by `warnUnknown()`.
 */
export class ConfigReader {
  private readonly used = new Set<string>();
  private readonly logger: Logger;

  constructor(
    private readonly values: Record<string, unknown>,
    private readonly context: ConfigReaderContext,
  ) {
    this.logger = context.logger ?? noopLogger;
  }

  /** The key as messages show it: `event_broker.port`. */
  keyName(key: string): string {
    return this.context.prefix ? `${this.context.prefix}.${key}` : key;
  }

  error(key: string, message: string, cause?: unknown): ConfigError {
    const where = this.context.file ? ` (in ${this.context.file})` : '';
    return new ConfigError(`${this.keyName(key)}${where}: ${message}`, {
      key: this.keyName(key),
      file: this.context.file,
      cause,
    });
  }

  has(key: string): boolean {
    return this.lookup(key, [])[1] !== undefined;
  }

  raw(key: string, options: ReadOptions<unknown> = {}): unknown {
    const [, value] = this.lookup(key, options.aliases ?? []);
    return value === undefined || value === null ? options.default : value;
  }

  string(key: string, options: ReadOptions<string> & { nonEmpty?: boolean } = {}): string | undefined {
    const value = this.raw(key, options);
    if (value === undefined) return undefined;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string')
      throw this.error(key, `expected a string, got ${this.describe(key, value)}.`);
    if (options.nonEmpty && value.trim() === '') throw this.error(key, 'must not be empty.');
    return value;
  }

  requiredString(key: string, hint: string, options: ReadOptions<string> = {}): string {
    const value = this.string(key, { ...options, nonEmpty: true });
    if (value === undefined) throw this.error(key, `is required: ${hint}`);
    return value;
  }

  integer(
    key: string,
    options: ReadOptions<number> & { min?: number; max?: number } = {},
  ): number | undefined {
    const value = this.raw(key, options);
    if (value === undefined) return undefined;
    const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) {
      throw this.error(key, `expected an integer${rangeText(options)}, got ${this.describe(key, value)}.`);
    }
    this.checkRange(key, number, options);
    return number;
  }

  number(
    key: string,
    options: ReadOptions<number> & { min?: number; max?: number } = {},
  ): number | undefined {
    const value = this.raw(key, options);
    if (value === undefined) return undefined;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw this.error(key, `expected a number${rangeText(options)}, got ${this.describe(key, value)}.`);
    }
    this.checkRange(key, number, options);
    return number;
  }

  boolean(key: string, options: ReadOptions<boolean> = {}): boolean | undefined {
    const value = this.raw(key, options);
    if (value === undefined) return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
      return value.trim().toLowerCase() === 'true';
    throw this.error(key, `expected true or false, got ${this.describe(key, value)}.`);
  }

  /** A list of strings; a single string becomes a one-item list (as Rasa's `queues`). */
  stringList(key: string, options: ReadOptions<string[]> = {}): string[] | undefined {
    const value = this.raw(key, options);
    if (value === undefined) return undefined;
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item.trim() === '')) {
      throw this.error(
        key,
        `expected a string or a list of non-empty strings, got ${this.describe(key, value)}.`,
      );
    }
    return list as string[];
  }

  /** One of `allowed`, compared case-insensitively; returns the allowed spelling. */
  choice<T extends string>(key: string, allowed: readonly T[], options: ReadOptions<T> = {}): T | undefined {
    const value = this.string(key, options);
    if (value === undefined) return undefined;
    const match = allowed.find((candidate) => candidate.toLowerCase() === value.trim().toLowerCase());
    if (!match)
      throw this.error(
        key,
        `must be one of ${allowed.join(', ')}; got ${this.describe(key, value, JSON.stringify)}.`,
      );
    return match;
  }

  object(
    key: string,
    options: ReadOptions<Record<string, unknown>> = {},
  ): Record<string, unknown> | undefined {
    const value = this.raw(key, options);
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) throw this.error(key, `expected a mapping, got ${this.describe(key, value)}.`);
    return value;
  }

  /** Keys present but never read. */
  unknownKeys(): string[] {
    return Object.keys(this.values).filter((key) => !this.used.has(key) && this.values[key] !== undefined);
  }

  /** Logs a warning naming every key that was given but is not a setting of this broker. */
  warnUnknown(component: string): string[] {
    const unknown = this.unknownKeys();
    if (unknown.length > 0) {
      this.logger.warn(
        { keys: unknown.map((k) => this.keyName(k)), file: this.context.file },
        `${component} ignores unknown setting(s) ${unknown.map((k) => this.keyName(k)).join(', ')}; check the spelling`,
      );
    }
    return unknown;
  }

  /** How a bad value is shown in a message; the value of a secret setting never is. */
  private describe(key: string, value: unknown, show: (value: unknown) => string = describeValue): string {
    const secret = isSecretKey(key) || this.context.secretKeys?.includes(key);
    if (!secret || typeof value === 'object' || value === undefined) return show(value);
    return `a ${typeof value} (not shown: ${this.keyName(key)} holds a secret)`;
  }

  private lookup(key: string, aliases: readonly string[]): [string, unknown] {
    for (const name of [key, ...aliases]) {
      if (name in this.values) {
        this.used.add(name);
        if (this.values[name] !== undefined) return [name, this.values[name]];
      }
    }
    return [key, undefined];
  }

  private checkRange(key: string, value: number, options: { min?: number; max?: number }): void {
    if (
      (options.min !== undefined && value < options.min) ||
      (options.max !== undefined && value > options.max)
    ) {
      throw this.error(
        key,
        `expected a number${rangeText(options)}, got ${this.describe(key, value, String)}.`,
      );
    }
  }
}

function rangeText(options: { min?: number; max?: number }): string {
  if (options.min !== undefined && options.max !== undefined)
    return ` between ${options.min} and ${options.max}`;
  if (options.min !== undefined) return ` of at least ${options.min}`;
  if (options.max !== undefined) return ` of at most ${options.max}`;
  return '';
}
