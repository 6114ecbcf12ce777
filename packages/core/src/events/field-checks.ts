/**
 * Tiny composable validators for untrusted event JSON. A check returns `undefined` when the
 * value is fine, or a description of what was expected ("a string or null").
 */
export type Check = (value: unknown) => string | undefined;

export interface FieldProblem {
  path: string;
  expected: string;
  actual: unknown;
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const anyJson: Check = () => undefined;
export const string: Check = (v) => (typeof v === 'string' ? undefined : 'a string');
export const number: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number';
export const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'a boolean (true or false)');
export const object: Check = (v) => (isPlainObject(v) ? undefined : 'an object');

export function nullable(check: Check): Check {
  return (v) => {
    if (v === null) return undefined;
    const expected = check(v);
    return expected === undefined ? undefined : `${expected} or null`;
  };
}

export function oneOf(...checks: Check[]): Check {
  return (v) => {
    const failures: string[] = [];
    for (const check of checks) {
      const expected = check(v);
      if (expected === undefined) return undefined;
      failures.push(expected);
    }
    return failures.join(' or ');
  };
}

/** Describes a value for an error message without dumping large or sensitive payloads. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}
