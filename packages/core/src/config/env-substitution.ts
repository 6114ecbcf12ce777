/**
 * Rasa's `${VAR}` substitution in YAML (rasa/shared/utils/io.py, 3.x), reproduced exactly:
 *
 * - only plain (unquoted) scalars matching `^(.*)\$\{(.*)\}(.*)$` are expanded;
 *   `"${PW}"` and `'${PW}'` stay literal;
 * - expansion is Python's `os.path.expandvars`: every `$NAME` and `${NAME}` in the value,
 *   unknown names left as they are;
 * - then every whitespace-separated word of the result that starts with `$` and also occurs in
 *   the original value is a missing variable, and loading fails. So `password: ${PW}` with PW
 *   unset fails, while `url: amqp://${HOST}:5672` keeps `${HOST}` literally (as Rasa does);
 * - the result is always a string.
 */

/** Rasa's implicit resolver pattern for `!env_var`. */
export const ENV_VAR_PATTERN = /^(.*)\$\{(.*)\}(.*)$/s;

/** Python's `posixpath.expandvars` pattern: `$name` or `${anything-but-brace}`. */
const EXPANDVARS = /\$(\w+|\{[^}]*\})/g;

/** `$NAME` and `${...}` references, as a splitting pattern (odd parts are the references). */
const REFERENCES = /(\$\w+|\$\{[^}]*\})/;

/** The value with every word outside its variable references as `***`: how a secret's value is shown. */
export function hideLiteralText(value: string): string {
  return value
    .split(REFERENCES)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\S+/g, '***')))
    .join('');
}

export type Environment = Record<string, string | undefined>;

export function expandVars(value: string, env: Environment): string {
  return value.replace(EXPANDVARS, (match, name: string) => {
    const key = name.startsWith('{') ? name.slice(1, -1) : name;
    const replacement = env[key];
    return replacement === undefined ? match : replacement;
  });
}

export interface Substitution {
  value: string;
  /** Variables referenced but not set, in Rasa's sense (words starting with `$` left over). */
  missing: string[];
}

export function substituteEnvVars(original: string, env: Environment): Substitution {
  const value = expandVars(original, env);
  const missing = value.split(/\s+/).filter((word) => word.startsWith('$') && original.includes(word));
  return { value, missing };
}
