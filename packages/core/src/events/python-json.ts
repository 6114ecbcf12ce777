/**
 * JSON exactly as Rasa writes it: Python's `json.dumps` defaults. Separators `", "` and `": "`,
 * `ensure_ascii` (everything outside printable ASCII escaped as lowercase `\uXXXX`, astral
 * characters as surrogate pairs), keys in insertion order, and Python's float `repr` for numbers
 * that Rasa holds as floats (`1.0`, `1e-05`, `1e+16`), so a consumer comparing bytes cannot tell
 * us from Rasa. Unlike Python, NaN and Infinity are refused: they are not JSON.
 */

/** Object keys whose numbers Rasa always holds as Python floats. */
const FLOAT_KEYS = new Set(['timestamp', 'confidence', 'confidence_entity']);

const PLAIN_ASCII = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  8: '\\b',
  12: '\\f',
};

export class NonFiniteNumberError extends Error {
  constructor(readonly path: string) {
    super(`${path} is not a finite number`);
  }
}

export function pythonString(value: string): string {
  if (PLAIN_ASCII.test(value)) return `"${value}"`;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const short = SHORT_ESCAPES[code];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += value[i];
  }
  return `${out}"`;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent below 1e-4 and from 1e16. */
export function pythonFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e');
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

function pythonNumber(value: number, asFloat: boolean, path: string): string {
  if (!Number.isFinite(value)) throw new NonFiniteNumberError(path);
  if (!asFloat && Number.isInteger(value)) {
    // Python ints print every digit; JS switches to exponent form at 1e21.
    return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  }
  return pythonFloat(value);
}

function encode(value: unknown, key: string, path: string): string {
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
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]';
        // Items of a list of floats (e.g. a confidence list) keep the parent key's float rule.
        return `[${value.map((item, i) => encode(item ?? null, key, `${path}[${i}]`)).join(', ')}]`;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return encode((value as { toJSON: () => unknown }).toJSON(), key, path);
      }
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        parts.push(`${pythonString(k)}: ${encode(v, k, path ? `${path}.${k}` : k)}`);
      }
      return parts.length === 0 ? '{}' : `{${parts.join(', ')}}`;
    }
    default:
      return 'null';
  }
}

/** `json.dumps(value)` as Python writes it. Throws NonFiniteNumberError for NaN/Infinity. */
export function toPythonJson(value: unknown): string {
  return encode(value, '', '');
}
