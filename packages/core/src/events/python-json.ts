/**
 * JSON exactly as Rasa writes it: Python's `json.dumps` defaults. Separators `", "` and `": "`,
 * `ensure_ascii` (everything outside printable ASCII escaped as lowercase `\uXXXX`, astral
 * characters as surrogate pairs), keys in insertion order, and Python's float `repr` for numbers
 * that Rasa holds as floats (`1.0`, `1e-05`, `1e+16`), so a consumer comparing bytes cannot tell
 * us from Rasa. Unlike Python, NaN and Infinity are refused: they are not JSON.
 *
 * Every published event goes through here, so the common cases take fast paths: plain ASCII
 * strings are copied after one scan, floats in the range where JavaScript and Python both write
 * plain decimals use `String()`, and the `"key": ` prefix of each key is cached.
 */

/** Object keys whose numbers Rasa always holds as Python floats. */
const FLOAT_KEYS = new Set(['timestamp', 'confidence', 'confidence_entity']);

const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  8: '\\b',
  12: '\\f',
};

/** Keys repeat in every event: their encoded `"key": ` prefixes are kept, up to this many... */
const MAX_CACHED_KEYS = 4096;
/** ...of at most this length (a key is data too: a long one is not worth keeping). */
const MAX_CACHED_KEY_LENGTH = 64;
const memberPrefixes = new Map<string, string>();

/** Where an encoder is, as the keys and indexes leading there; turned into text only on error. */
type PathSegments = (string | number)[];

export class NonFiniteNumberError extends Error {
  constructor(readonly path: string) {
    super(`${path} is not a finite number`);
  }
}

/** `parse_data.intent_ranking[0].confidence`, as EventValidationError paths are written. */
function pathText(segments: PathSegments): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path = path ? `${path}.${segment}` : segment;
  }
  return path;
}

export function pythonString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 34 || code === 92) return escapedString(value, i);
  }
  return `"${value}"`;
}

/** The `ensure_ascii` form of `value`, whose first `plain` characters need no escape. */
function escapedString(value: string, plain: number): string {
  let out = `"${value.slice(0, plain)}`;
  for (let i = plain; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const short = SHORT_ESCAPES[code];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += value[i];
  }
  return `${out}"`;
}

/** `"key": ` for an object member, cached for the keys events repeat. */
function memberPrefix(key: string): string {
  let prefix = memberPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `${pythonString(key)}: `;
    if (key.length > MAX_CACHED_KEY_LENGTH) return prefix;
    if (memberPrefixes.size >= MAX_CACHED_KEYS) memberPrefixes.clear();
    memberPrefixes.set(key, prefix);
  }
  return prefix;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent below 1e-4 and from 1e16. */
export function pythonFloat(value: number): string {
  const magnitude = Math.abs(value);
  // Both languages write the same shortest round-trip digits; between 1e-4 and 1e16 both also
  // write them as a plain decimal, and Python adds `.0` to a whole number.
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const text = String(value);
    return Number.isInteger(value) ? `${text}.0` : text;
  }
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exponentText = '0'] = magnitude.toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  const sign = value < 0 ? '-' : '';
  // Python switches to exponent notation when the decimal point sits outside (-4, 16].
  const pointPosition = exponent + 1;
  if (pointPosition <= -4 || pointPosition > 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0]}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (pointPosition <= 0) return `${sign}0.${'0'.repeat(-pointPosition)}${digits}`;
  if (pointPosition >= digits.length) return `${sign}${digits}${'0'.repeat(pointPosition - digits.length)}.0`;
  return `${sign}${digits.slice(0, pointPosition)}.${digits.slice(pointPosition)}`;
}

function pythonNumber(value: number, asFloat: boolean, path: PathSegments): string {
  if (!Number.isFinite(value)) throw new NonFiniteNumberError(pathText(path));
  if (!asFloat && Number.isInteger(value)) {
    // Python ints print every digit; JS switches to exponent form at 1e21.
    return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  }
  return pythonFloat(value);
}

function encode(value: unknown, key: string, path: PathSegments): string {
  switch (typeof value) {
    case 'string':
      return pythonString(value);
    case 'number':
      return pythonNumber(value, FLOAT_KEYS.has(key), path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return encodeArray(value, key, path);
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return encode((value as { toJSON: () => unknown }).toJSON(), key, path);
      }
      let out = '';
      for (const k of Object.keys(value)) {
        const member = encodeMember(k, (value as Record<string, unknown>)[k], path);
        if (member !== '') out = out === '' ? member : `${out}, ${member}`;
      }
      return `{${out}}`;
    }
    default:
      return 'null';
  }
}

function encodeArray(items: unknown[], key: string, path: PathSegments): string {
  if (items.length === 0) return '[]';
  let out = '';
  for (let i = 0; i < items.length; i++) {
    path.push(i);
    // Items of a list of floats (e.g. a confidence list) keep the parent key's float rule.
    const item = encode(items[i] ?? null, key, path);
    path.pop();
    out = i === 0 ? item : `${out}, ${item}`;
  }
  return `[${out}]`;
}

/** `"key": value`, or '' for what json.dumps would not get (undefined, functions, symbols). */
function encodeMember(key: string, value: unknown, path: PathSegments): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return '';
  path.push(key);
  const member = memberPrefix(key) + encode(value, key, path);
  path.pop();
  return member;
}

/**
 * An object written member by member, for writers that choose the members and their order
 * themselves: `add` writes `"key": value` (or nothing where json.dumps would not write the
 * member), `text` closes the object. Throws NonFiniteNumberError for NaN/Infinity.
 */
export class PythonJsonObject {
  private members = '';
  private readonly path: PathSegments = [];

  add(key: string, value: unknown): void {
    const member = encodeMember(key, value, this.path);
    if (member !== '') this.members = this.members === '' ? member : `${this.members}, ${member}`;
  }

  text(): string {
    return `{${this.members}}`;
  }
}

/** `json.dumps(value)` as Python writes it. Throws NonFiniteNumberError for NaN/Infinity. */
export function toPythonJson(value: unknown): string {
  return encode(value, '', []);
}
