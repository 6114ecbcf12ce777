/**
 * Settings come from endpoints.yml (Rasa's snake_case keys) or from code (camelCase options, and
 * the Python spellings of the Rasa documentation as aliases). One table declares both spellings;
 * one reader serves both, and errors name the key as the user wrote it.
 */
export type KeyStyle = 'yaml' | 'code';

/** What a setting holds; endpoints.yml `${VAR}` strings are coerced to the type. */
export type SettingType = 'string' | 'integer' | 'number' | 'boolean' | 'choice' | 'list' | 'mapping' | 'any';

/** One row of a settings table: a setting's names, type, default, range and meaning. */
export interface SettingSpec {
  /** The endpoints.yml key; `null` for an option only code can give (a logger, a callback). */
  readonly yaml: string | null;
  /** The constructor option; defaults to the camelCase of `yaml`. `null` for a YAML-only key. */
  readonly code?: string | null;
  /** Other accepted names per style: the Python spellings of the Rasa documentation and of Rasa's constructors. */
  readonly aliases?: { readonly yaml?: readonly string[]; readonly code?: readonly string[] };
  readonly type: SettingType;
  /** The allowed values of a `choice`, compared case-insensitively. */
  readonly choices?: readonly string[];
  /** Applied when the setting is not given. */
  readonly default?: string | number | boolean;
  /** The default as the README shows it, when it is computed or not a plain value ("5672 (5671 with TLS)"). */
  readonly defaultText?: string;
  readonly min?: number;
  readonly max?: number;
  /** A string must not be blank. */
  readonly nonEmpty?: boolean;
  /** Never shown in messages, even when its name does not look secret. */
  readonly secret?: boolean;
  /** One line for the README's option table (Markdown). */
  readonly description: string;
}

/** A section's settings by name (the code key, or a short name when the code key is unusual). */
export type SettingsTable = Readonly<Record<string, SettingSpec>>;

/** The type of a value a setting holds (see {@link SettingValue}). */
export type SettingValueType<S extends SettingSpec> = S['type'] extends 'integer' | 'number'
  ? number
  : S['type'] extends 'boolean'
    ? boolean
    : S['type'] extends 'choice'
      ? S['choices'] extends readonly (infer C)[]
        ? C
        : string
      : S['type'] extends 'string'
        ? string
        : S['type'] extends 'list'
          ? string[]
          : S['type'] extends 'mapping'
            ? Record<string, unknown>
            : unknown;

/** The value a setting reads as: never undefined when the table gives a default. */
export type SettingValue<S extends SettingSpec> = S extends { default: string | number | boolean }
  ? SettingValueType<S>
  : SettingValueType<S> | undefined;

/**
 * Declares a section's settings table; checks it once, so a mistake shows where the table is
 * written. A row without `code` gets the camelCase of its YAML key, or its name when it has none.
 */
export function defineSettings<const T extends Record<string, SettingSpec>>(table: T): T {
  const declared: Record<string, SettingSpec> = {};
  for (const [name, spec] of Object.entries(table)) {
    if (spec.yaml === null && spec.code === null) throw new TypeError(`setting ${name} has no key`);
    if (spec.type === 'choice' && !spec.choices?.length)
      throw new TypeError(`setting ${name} has no choices`);
    const code = spec.code !== undefined ? spec.code : spec.yaml === null ? name : camelCase(spec.yaml);
    declared[name] = Object.freeze({ ...spec, code });
  }
  return Object.freeze(declared) as T;
}

/** The key of a setting in a style (`ssl_cafile` ↔ `sslCafile`), or undefined when that style has none. */
export function keyIn(spec: SettingSpec, style: KeyStyle): string | undefined {
  return (style === 'yaml' ? spec.yaml : spec.code) ?? undefined;
}

/** Every name a setting may be given under in a style: its key first, then its aliases. */
export function namesIn(spec: SettingSpec, style: KeyStyle): string[] {
  const key = keyIn(spec, style);
  return [...(key === undefined ? [] : [key]), ...(spec.aliases?.[style] ?? [])];
}

function camelCase(yamlKey: string): string {
  return yamlKey.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
