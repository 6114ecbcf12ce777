import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  actionExecuted,
  botUttered,
  EventValidationError,
  isKnownEvent,
  isUnknownEvent,
  KNOWN_EVENT_TYPES,
  parseEvent,
  parseEventMessage,
  serialiseEvent,
  slotSet,
  userUttered,
} from '../src/index';
import { SAMPLE_EVENTS } from '../src/testing/sample-events';

const fixtures = join(__dirname, 'fixtures');
const readJson = (path: string) => JSON.parse(readFileSync(join(fixtures, path), 'utf8'));

function expectInvalid(input: unknown, path: string, fragment: string): void {
  let caught: unknown;
  try {
    parseEvent(input as Record<string, unknown>);
  } catch (error) {
    caught = error;
  }
  expect(EventValidationError.isInstance(caught), `expected ${JSON.stringify(input)} to be rejected`).toBe(
    true,
  );
  expect((caught as EventValidationError).path).toBe(path);
  expect((caught as Error).message).toContain(fragment);
}

describe('event types', () => {
  it('knows every Rasa 3.x type name plus the legacy form events', () => {
    expect([...KNOWN_EVENT_TYPES].sort()).toEqual(
      [
        'user',
        'bot',
        'action',
        'slot',
        'reset_slots',
        'restart',
        'rewind',
        'undo',
        'followup',
        'reminder',
        'cancel_reminder',
        'pause',
        'resume',
        'agent',
        'active_loop',
        'loop_interrupted',
        'action_execution_rejected',
        'session_started',
        'entities',
        'user_featurization',
        'export',
        'form',
        'form_validation',
      ].sort(),
    );
  });

  it('accepts a valid event of every type and writes it back unchanged', () => {
    expect(new Set(SAMPLE_EVENTS.map((e) => e.event)).size).toBe(KNOWN_EVENT_TYPES.length - 2);
    for (const event of SAMPLE_EVENTS) {
      const parsed = parseEvent(JSON.stringify(event), { strict: true });
      expect(isKnownEvent(parsed)).toBe(true);
      expect(JSON.parse(serialiseEvent('s', parsed))).toEqual({ sender_id: 's', ...event });
    }
  });

  it.each([
    [{ event: 'user', timestamp: 1, text: 3 }, 'text', 'a string or null'],
    [
      { event: 'user', timestamp: 1, text: 'hi', parse_data: { intent: { name: 5 } } },
      'parse_data.intent.name',
      'a string or null',
    ],
    [
      { event: 'user', timestamp: 1, text: 'hi', parse_data: { entities: [{ value: 'x' }] } },
      'parse_data.entities[0].entity',
      'a string',
    ],
    [
      {
        event: 'user',
        timestamp: 1,
        text: 'hi',
        parse_data: { intent_ranking: [{ name: 'a', confidence: 'high' }] },
      },
      'parse_data.intent_ranking[0].confidence',
      'a finite number or null',
    ],
    [{ event: 'user', timestamp: 1, text: 'hi', input_channel: 7 }, 'input_channel', 'a string or null'],
    [
      { event: 'user_featurization', timestamp: 1, use_text_for_featurization: 'no' },
      'use_text_for_featurization',
      'a boolean',
    ],
    [{ event: 'entities', timestamp: 1, entities: {} }, 'entities', 'an array'],
    [{ event: 'bot', timestamp: 1 }, 'text', 'a string or null'],
    [{ event: 'bot', timestamp: 1, text: 'x', data: 'buttons' }, 'data', 'an object or null'],
    [{ event: 'slot', timestamp: 1, value: 1 }, 'name', 'a string'],
    [{ event: 'slot', timestamp: 1, name: 'a' }, 'value', 'present'],
    [{ event: 'restart', timestamp: '1' }, 'timestamp', 'a number of seconds'],
    [{ event: 'rewind' }, 'timestamp', 'nothing (the field is missing)'],
    [{ event: 'reset_slots', timestamp: 1, metadata: [] }, 'metadata', 'an object'],
    [{ event: 'reminder', timestamp: 1, date_time: '2024-01-01T00:00:00' }, 'intent', 'a string'],
    [{ event: 'reminder', timestamp: 1, intent: 'i', date_time: 5 }, 'date_time', 'a string'],
    [
      { event: 'reminder', timestamp: 1, intent: 'i', date_time: 'x', kill_on_user_msg: 'yes' },
      'kill_on_user_msg',
      'a boolean',
    ],
    [{ event: 'cancel_reminder', timestamp: 1, name: 3 }, 'name', 'a string or null'],
    [{ event: 'undo', timestamp: Number.POSITIVE_INFINITY }, 'timestamp', 'a number'],
    [{ event: 'export', timestamp: 1, path: 1 }, 'path', 'a string or null'],
    [{ event: 'followup', timestamp: 1 }, 'name', 'a string'],
    [{ event: 'pause', timestamp: null }, 'timestamp', 'a number'],
    [{ event: 'resume', timestamp: [] }, 'timestamp', 'a number'],
    [
      { event: 'action', timestamp: 1, name: 'a', confidence: '1.0' },
      'confidence',
      'a finite number or null',
    ],
    [{ event: 'action', timestamp: 1, name: 'a', hide_rule_turn: 1 }, 'hide_rule_turn', 'a boolean'],
    [{ event: 'action', timestamp: 1 }, 'name', 'a string or null'],
    [{ event: 'agent', timestamp: 1, text: 1 }, 'text', 'a string or null'],
    [{ event: 'active_loop', timestamp: 1 }, 'name', 'a string or null'],
    [{ event: 'loop_interrupted', timestamp: 1, is_interrupted: 'true' }, 'is_interrupted', 'a boolean'],
    [{ event: 'action_execution_rejected', timestamp: 1, name: null }, 'name', 'a string'],
    [{ event: 'session_started', timestamp: 'now' }, 'timestamp', 'a number'],
    [{ event: 'form', timestamp: 1, name: 3 }, 'name', 'a string or null'],
    [{ event: 'form_validation', timestamp: 1 }, 'validate', 'a boolean'],
    [{ timestamp: 1 }, 'event', 'an event type name'],
    [{ event: '', timestamp: 1 }, 'event', 'an event type name'],
  ])('rejects %j at %s', (input, path, fragment) => expectInvalid(input, path, fragment));

  it('rejects input that is not a JSON object', () => {
    expectInvalid('{broken', '$', 'not JSON');
    expectInvalid('[]', '$', 'expected a JSON object');
    expectInvalid('"user"', '$', 'expected a JSON object');
  });

  it('keeps unknown event types verbatim unless strict', () => {
    const raw = { event: 'stack', timestamp: 1.5, update: '[{"op": "add"}]', metadata: {} };
    const parsed = parseEvent(raw);
    expect(isUnknownEvent(parsed)).toBe(true);
    expect(parsed).toEqual(raw);
    expect(serialiseEvent('s', parsed)).toBe(
      '{"sender_id": "s", "event": "stack", "timestamp": 1.5, "metadata": {}, "update": "[{\\"op\\": \\"add\\"}]"}',
    );
    expectInvalidStrict(raw);
  });

  it('re-emits legacy 1.x form events the way Rasa 3.x does', () => {
    const form = parseEvent({ event: 'form', timestamp: 1.25, name: 'restaurant_form' });
    expect(serialiseEvent('u', form)).toBe(
      '{"sender_id": "u", "event": "active_loop", "timestamp": 1.25, "name": "restaurant_form"}',
    );
    const validation = parseEvent({ event: 'form_validation', timestamp: 2, validate: false });
    expect(serialiseEvent('u', validation)).toBe(
      '{"sender_id": "u", "event": "loop_interrupted", "timestamp": 2.0, "is_interrupted": true}',
    );
  });

  it('drops the input-only fields Rasa does not write', () => {
    const cancel = parseEvent({
      event: 'cancel_reminder',
      timestamp: 3,
      name: 'r',
      intent: 'i',
      entities: [],
    });
    expect(serialiseEvent('u', cancel)).toBe(
      '{"sender_id": "u", "event": "cancel_reminder", "timestamp": 3.0}',
    );
    const exported = parseEvent({ event: 'export', timestamp: 3, path: 'stories.yml' });
    expect(serialiseEvent('u', exported)).toBe('{"sender_id": "u", "event": "export", "timestamp": 3.0}');
  });
});

function expectInvalidStrict(raw: Record<string, unknown>): void {
  expect(() => parseEvent(raw, { strict: true })).toThrow('must be a Rasa 3.x event type name');
}

describe('wire format', () => {
  const golden = readFileSync(join(fixtures, 'wire/rasa-3x-turn.jsonl'), 'utf8').trim().split('\n');

  it('reproduces a real Rasa 3.x turn byte for byte', () => {
    expect(golden).toHaveLength(8);
    for (const line of golden) {
      const { senderId, event } = parseEventMessage(line, { strict: true });
      expect(serialiseEvent(senderId, event)).toBe(line);
    }
  });

  it('puts metadata after timestamp when set, and last (empty) for user and bot when empty', () => {
    const bot = botUttered('hi', { timestamp: 1 });
    expect(Object.keys(JSON.parse(serialiseEvent('s', bot)))).toEqual([
      'sender_id',
      'event',
      'timestamp',
      'text',
      'data',
      'metadata',
    ]);
    const withMeta = userUttered('hi', { timestamp: 1, metadata: { model_id: 'm' } });
    expect(Object.keys(JSON.parse(serialiseEvent('s', withMeta)))).toEqual([
      'sender_id',
      'event',
      'timestamp',
      'metadata',
      'text',
      'parse_data',
      'input_channel',
      'message_id',
    ]);
    const action = actionExecuted('a', { timestamp: 1, metadata: {} });
    expect(serialiseEvent('s', action)).not.toContain('metadata');
  });

  it('writes sender_id last for export bodies', () => {
    const body = serialiseEvent('s', slotSet('a', 1, { timestamp: 1 }), { senderIdPosition: 'last' });
    expect(body).toBe('{"event": "slot", "timestamp": 1.0, "name": "a", "value": 1, "sender_id": "s"}');
  });

  it.each(['tracker_moodbot.json', 'tracker_moodbot_rasa-1.0.json'])(
    'round-trips every event of %s',
    (file) => {
      const dump = readJson(`rasa/trackers/${file}`);
      expect(dump.events.length).toBeGreaterThan(0);
      for (const raw of dump.events) {
        const event = parseEvent(raw, { strict: true });
        const { sender_id, ...written } = JSON.parse(serialiseEvent(dump.sender_id, event));
        expect(sender_id).toBe(dump.sender_id);
        expect(written).toEqual(raw);
      }
    },
  );

  it('names the field when a conversation id is missing or an event is invalid', () => {
    expect(() => parseEventMessage('{"event": "restart", "timestamp": 1}')).toThrow(
      /sender_id must be a non-empty string/,
    );
    expect(() => serialiseEvent('', slotSet('a', 1))).toThrow(/sender_id/);
    expect(() =>
      serialiseEvent('s', { event: 'slot', timestamp: 1, name: 'a', value: Number.NaN } as never),
    ).toThrow(/value is NaN or Infinity/);
  });
});
