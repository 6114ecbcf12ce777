import { describe, expect, it } from 'vitest';
import { EVENT_SPECS } from '../src/events/event-schema';
import type { ParsedEvent } from '../src/events/event-types';
import { findEventProblems } from '../src/events/parse-event';
import {
  encodeEventBody,
  KNOWN_EVENT_TYPES,
  orderEventFields,
  pythonFloat,
  serialiseEvent,
  toPythonJson,
} from '../src/index';
import { SAMPLE_EVENTS } from '../src/testing/sample-events';
import { referenceFloat, referenceOrder, referenceSerialise } from './helpers/reference-serialiser';

/** A small seeded generator (mulberry32), so a failure names the seed that reproduces it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'mood',
  'great',
  ' ',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0001',
  '\u007f',
  'é',
  '中',
  '😀',
  '\ud800',
  '/',
  '{, ',
];
const KEYS = [
  'text',
  'name',
  'confidence',
  'timestamp',
  'confidence_entity',
  'value',
  'é',
  'a"b',
  'sender_id',
];

function generator(seed: number) {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const text = () => Array.from({ length: Math.floor(next() * 6) }, () => pick(PIECES)).join('');
  const float = () => {
    const kind = next();
    if (kind < 0.1) return pick([0, -0, 1, -1, 1e16, 1e-4, 9.999e-5, 1e21, 5e-324]);
    if (kind < 0.3) return Math.floor(next() * 1e6) * (next() < 0.5 ? 1 : -1);
    if (kind < 0.4) {
      const bits = new Float64Array(new Uint32Array([next() * 2 ** 32, next() * 2 ** 31]).buffer)[0]!;
      return Number.isFinite(bits) ? bits : 0.5;
    }
    return (next() - 0.3) * 10 ** Math.floor(next() * 50 - 25);
  };
  const value = (depth: number): unknown => {
    const kind = next();
    if (kind < 0.25) return text();
    if (kind < 0.5) return float();
    if (kind < 0.55) return next() < 0.5;
    if (kind < 0.6) return null;
    if (kind < 0.63) return new Date(1_700_000_000_000 + Math.floor(next() * 1e9));
    if (depth > 3) return float();
    if (kind < 0.8) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    return object(depth + 1);
  };
  const object = (depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 4); i > 0; i--) out[next() < 0.5 ? pick(KEYS) : text()] = value(depth);
    if (next() < 0.1) out.skipped = undefined;
    return out;
  };
  const event = (): Record<string, unknown> => {
    const type = next() < 0.9 ? pick(KNOWN_EVENT_TYPES) : 'custom_event';
    const out: Record<string, unknown> = { event: type, timestamp: float() };
    const metadata = next();
    if (metadata < 0.3) out.metadata = object(1);
    else if (metadata < 0.4) out.metadata = {};
    else if (metadata < 0.5) out.metadata = null;
    for (const field of EVENT_SPECS.get(type)?.fields ?? []) if (next() < 0.8) out[field.key] = value(1);
    // Extra keys (never integer-like: an object built by assignment would move those first).
    for (let i = Math.floor(next() * 3); i > 0; i--)
      out[pick(['x', 'policy', 'sender_id', text()])] = value(1);
    return out;
  };
  return { event, float };
}

describe('the Rasa-format serialiser fast paths write the bytes the straightforward serialiser wrote', () => {
  it('formats random doubles of every magnitude exactly as before', () => {
    const { float } = generator(1);
    const differing: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const value = float();
      if (pythonFloat(value) !== referenceFloat(value)) differing.push(String(value));
    }
    expect(differing).toEqual([]);
  });

  /** Compares without an `expect` per event (thousands of them are slow); a difference shows as a diff. */
  function same(actual: string, expected: string): void {
    if (actual !== expected) expect(actual).toBe(expected);
  }

  it.each([1, 2, 3, 4, 5])('writes random events (seed %i), sender_id first and last, as before', (seed) => {
    const { event } = generator(seed);
    for (let i = 0; i < 1000; i++) {
      const generated = event() as unknown as ParsedEvent;
      for (const position of ['first', 'last'] as const) {
        same(
          serialiseEvent('conversation "1" é', generated, { trusted: true, senderIdPosition: position }),
          referenceSerialise('conversation "1" é', generated, position),
        );
      }
      same(JSON.stringify(orderEventFields(generated)), JSON.stringify(referenceOrder(generated)));
    }
  });

  it('publishes objects carrying sender_id exactly as serialiseEvent writes them', () => {
    const { event } = generator(6);
    let valid = 0;
    for (const generated of [...SAMPLE_EVENTS, ...Array.from({ length: 2000 }, event)]) {
      const { sender_id: _ignored, ...withoutSenderId } = generated as Record<string, unknown>;
      if (findEventProblems(withoutSenderId).length > 0) continue;
      valid++;
      const expected = referenceSerialise(
        'conversation-1',
        withoutSenderId as unknown as ParsedEvent,
        'first',
      );
      const encoded = encodeEventBody({ ...withoutSenderId, sender_id: 'conversation-1' } as never);
      same(encoded.senderId, 'conversation-1');
      same(encoded.body, expected);
      // A class instance takes the copying way, with the same result.
      const instance = Object.assign(new (class Body {})(), withoutSenderId, { sender_id: 'conversation-1' });
      same(encodeEventBody(instance as never).body, expected);
    }
    expect(valid).toBeGreaterThan(300);
  });

  it('still names where a NaN or Infinity sits, through lists and toJSON()', () => {
    const nested = { a: [1, { toJSON: () => ({ b: [Number.POSITIVE_INFINITY] }) }] };
    expect(() => toPythonJson(nested)).toThrow('a[1].b[0] is not a finite number');
  });

  it('writes the holes of a sparse array as null, as Python writes None (it used to write invalid JSON)', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    expect(toPythonJson({ value: [1, , 3] })).toBe('{"value": [1, null, 3]}');
  });
});
