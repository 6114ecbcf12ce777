import type { ConfigError } from '../errors/errors';
import { type Logger, noopLogger } from '../logging/logger';
import { ConfigReader } from './config-reader';
import { type KeyStyle, namesIn, type SettingsTable, type SettingValue } from './declared-settings';
import type { EndpointConfig } from './endpoint-config';

/**
 * Reads one section's settings by their names in a {@link SettingsTable}, from an endpoints.yml
 * section or from constructor options alike: types, defaults and ranges come from the table;
 * errors name the key as the user wrote it (YAML key, option or alias) and the file; a setting
 * given under two of its names is a ConfigError; keys nobody read are warned about.
 */
export class SettingsReader<T extends SettingsTable> {
  /** The underlying reader, for values a table cannot describe (keys of code-only options). */
  readonly config: ConfigReader;
  readonly logger: Logger;

  constructor(
    readonly table: T,
    readonly style: KeyStyle,
    values: Readonly<Record<string, unknown>>,
    context: { prefix: string; file?: string | undefined; logger?: Logger | undefined },
  ) {
    this.logger = context.logger ?? noopLogger;
    const secretKeys = Object.values(table)
      .filter((spec) => spec.secret)
      .flatMap((spec) => namesIn(spec, style));
    this.config = new ConfigReader(values as Record<string, unknown>, { ...context, secretKeys });
  }

  /** The reader of an endpoints.yml section: its keys, and `url` when given. */
  static ofSection<T extends SettingsTable>(
    table: T,
    config: EndpointConfig,
    logger?: Logger | undefined,
  ): SettingsReader<T> {
    const values = { ...config.kwargs, ...(config.url === undefined ? {} : { url: config.url }) };
    return new SettingsReader(table, 'yaml', values, { prefix: config.section, file: config.file, logger });
  }

  /** The reader of constructor options; `prefix` names them in messages (`KafkaEventBroker options`). */
  static ofOptions<T extends SettingsTable>(
    table: T,
    options: object,
    prefix: string,
    logger?: Logger | undefined,
  ): SettingsReader<T> {
    return new SettingsReader(table, 'code', options as Record<string, unknown>, { prefix, logger });
  }

  /**
   * The key a setting was given under (its key or an alias), so that messages name what the user
   * wrote; its key when it is not given. A setting given under two names is a ConfigError naming both.
   */
  key(name: keyof T & string): string {
    const names = namesIn(this.spec(name), this.style);
    const given = names.filter((candidate) => this.config.has(candidate));
    if (given.length > 1) {
      const others = given.slice(1).map((candidate) => this.config.keyName(candidate));
      throw this.config.error(
        given[0]!,
        `is also given as ${others.join(' and ')}, another spelling of the same setting; give only one.`,
      );
    }
    return given[0] ?? names[0] ?? name;
  }

  /** The key as messages show it: `event_broker.ssl_cafile`, `KafkaEventBroker options.ssl_cafile`. */
  keyName(name: keyof T & string): string {
    return this.config.keyName(this.key(name));
  }

  has(name: keyof T & string): boolean {
    return this.config.has(this.key(name));
  }

  /** The value, checked against the table's type and range; the table's default when not given. */
  get<K extends keyof T & string>(name: K): SettingValue<T[K]> {
    const spec = this.spec(name);
    // A code-only option in YAML (or a YAML-only key in code) is never read: given, it is unknown.
    if (namesIn(spec, this.style).length === 0) return spec.default as SettingValue<T[K]>;
    const key = this.key(name);
    const range = {
      ...(spec.min === undefined ? {} : { min: spec.min }),
      ...(spec.max === undefined ? {} : { max: spec.max }),
    };
    const options = spec.default === undefined ? {} : { default: spec.default as never };
    const read = (): unknown => {
      switch (spec.type) {
        case 'string':
          return this.config.string(key, { ...options, nonEmpty: spec.nonEmpty ?? false });
        case 'integer':
          return this.config.integer(key, { ...options, ...range });
        case 'number':
          return this.config.number(key, { ...options, ...range });
        case 'boolean':
          return this.config.boolean(key, options);
        case 'choice':
          return this.config.choice(key, spec.choices ?? [], options);
        case 'list':
          return this.config.stringList(key, options);
        case 'mapping':
          return this.config.object(key, options);
        default:
          return this.config.raw(key, options);
      }
    };
    return (read() ?? spec.default) as SettingValue<T[K]>;
  }

  /** The value; a ConfigError `is required: <hint>` when it is not given. */
  required<K extends keyof T & string>(name: K, hint: string): NonNullable<SettingValue<T[K]>> {
    const value = this.get(name);
    if (value === undefined) throw this.error(name, `is required: ${hint}`);
    return value as NonNullable<SettingValue<T[K]>>;
  }

  /** The value as given, unchecked (for settings with rules of their own: `acks`, `content_type`). */
  raw(name: keyof T & string): unknown {
    return this.config.raw(this.key(name));
  }

  error(name: keyof T & string, message: string, cause?: unknown): ConfigError {
    return this.config.error(this.key(name), message, cause);
  }

  /** Marks settings as known without using them (a publisher's settings, read by a consumer). */
  accept(names: readonly (keyof T & string)[]): void {
    for (const name of names) this.raw(name);
  }

  /** Logs that settings given for another mode are ignored, naming them as written. */
  warnIgnored(names: readonly (keyof T & string)[], reason: string): void {
    const given = names.filter((name) => this.has(name)).map((name) => this.keyName(name));
    if (given.length > 0) this.logger.warn({ keys: given }, `${given.join(', ')} ignored: ${reason}`);
  }

  /** Logs a warning naming every key given but never read; returns those keys. */
  warnUnknown(component: string): string[] {
    return this.config.warnUnknown(component);
  }

  private spec(name: string): T[string] {
    const spec = this.table[name];
    if (!spec) throw new TypeError(`no setting ${name} in this settings table`);
    return spec as T[string];
  }
}
