/** Deeper than this, a body is reported as nested too deeply (Python's json.dumps stops near 1000). */
const MAX_DEPTH = 500;

export interface Unencodable {
  /** The field, as EventValidationError paths are written: `metadata.user.self`, `entities[0]`. */
  path: string;
  /** What is wrong with it, to follow the path in a sentence. */
  problem: string;
  /** What a getter, `toJSON()` or a proxy threw, when that is the problem. */
  thrown?: unknown;
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path === '$' ? '' : path}[${key}]`;
  return path === '$' ? key : `${path}.${key}`;
}

function threw(error: unknown): string {
  const name = (error as { name?: unknown })?.name;
  return `threw ${typeof name === 'string' ? name : typeof error}`;
}

/**
 * Where a body that could not be encoded goes wrong: a property whose getter throws, a
 * `toJSON()` that throws, a circular reference, or nesting too deep for the encoder. Only called
 * after encoding failed, so the walk costs nothing on the way every valid event takes.
 */
export function findUnencodable(
  value: unknown,
  path = '$',
  ancestors: object[] = [],
): Unencodable | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (ancestors.includes(value)) {
    return {
      path,
      problem: 'refers back to an object that contains it (a circular reference), which JSON cannot carry',
    };
  }
  if (ancestors.length >= MAX_DEPTH) return { path, problem: `is nested more than ${MAX_DEPTH} levels deep` };
  let node: unknown = value;
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') node = toJSON.call(value);
  } catch (error) {
    return { path, problem: `cannot be written as JSON: its toJSON() ${threw(error)}`, thrown: error };
  }
  if (node !== value) return findUnencodable(node, path, [...ancestors, value]);
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch (error) {
    return { path, problem: `cannot be read: listing its fields ${threw(error)}`, thrown: error };
  }
  const inside = [...ancestors, value];
  const isArray = Array.isArray(value);
  for (const key of keys) {
    const at = childPath(path, isArray ? Number(key) : key);
    let child: unknown;
    try {
      child = (value as Record<string, unknown>)[key];
    } catch (error) {
      return { path: at, problem: `cannot be read: its getter ${threw(error)}`, thrown: error };
    }
    const found = findUnencodable(child, at, inside);
    if (found) return found;
  }
  return undefined;
}
