/**
 * The Rasa-format serialiser as it was before its fast paths (issue 15), kept as the reference
 * the property test compares the fast one with, byte for byte. Straightforward on purpose:
 * builds the ordered object, then encodes it member by member.
 */
import { COMMON_KEYS, EVENT_SPECS } from '../../src/events/event-schema';
import type { ParsedEvent } from '../../src/events/event-types';
import { isPlainObject } from '../../src/events/field-checks';

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

function referenceString(value: string): string {
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

export function referenceFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  const sign = value < 0 ? '-' : '';
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

function encode(value: unknown, key: string): string {
  switch (typeof value) {
    case 'string':
      return referenceString(value);
    case 'number':
      if (!FLOAT_KEYS.has(key) && Number.isInteger(value)) {
        return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
      }
      return referenceFloat(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => encode(item ?? null, key)).join(', ')}]`;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return encode((value as { toJSON: () => unknown }).toJSON(), key);
      }
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) parts.push(`${referenceString(k)}: ${encode(v, k)}`);
      }
      return `{${parts.join(', ')}}`;
    }
    default:
      return 'null';
  }
}

const isEmptyObject = (value: unknown): boolean => isPlainObject(value) && Object.keys(value).length === 0;

/** The ordered object `orderEventFields` built before. */
export function referenceOrder(event: ParsedEvent): Record<string, unknown> {
  const spec = EVENT_SPECS.get(event.event);
  const source = spec?.writeAs
    ? spec.writeAs(event as Record<string, unknown>)
    : (event as Record<string, unknown>);
  const writtenSpec = spec?.writeAs ? EVENT_SPECS.get(source.event as string) : spec;
  const out: Record<string, unknown> = { event: source.event, timestamp: source.timestamp };
  const metadata = source.metadata;
  const hasMetadata = metadata !== undefined && metadata !== null && !isEmptyObject(metadata);
  if (hasMetadata || (!spec && metadata !== undefined)) out.metadata = metadata;
  const skip = new Set(COMMON_KEYS);
  for (const field of spec?.fields ?? []) if (field.inputOnly) skip.add(field.key);
  for (const field of writtenSpec?.fields ?? []) {
    if (field.inputOnly) continue;
    skip.add(field.key);
    if (source[field.key] !== undefined) out[field.key] = source[field.key];
  }
  if (!hasMetadata && writtenSpec?.alwaysWritesMetadata && metadata !== undefined)
    out.metadata = metadata ?? {};
  for (const [key, value] of Object.entries(source)) {
    if (!skip.has(key) && value !== undefined) out[key] = value;
  }
  return out;
}

/** The wire body the serialiser wrote before its fast paths. */
export function referenceSerialise(
  senderId: string,
  event: ParsedEvent,
  senderIdPosition: 'first' | 'last',
): string {
  const ordered = referenceOrder(event);
  const body =
    senderIdPosition === 'last' ? { ...ordered, sender_id: senderId } : { sender_id: senderId, ...ordered };
  return encode(body, '');
}
