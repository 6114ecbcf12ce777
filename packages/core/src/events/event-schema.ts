import type { ParsedEvent, RasaEvent, RasaEventType, UnknownEvent } from './event-types';
import {
  anyJson,
  boolean,
  type Check,
  type FieldProblem,
  isPlainObject,
  nullable,
  number,
  object,
  oneOf,
  string,
} from './field-checks';

/**
 * One table drives both validation and serialisation: for every event type, its fields in the
 * order Rasa 3.x writes them (`as_dict()`), whether they are required, and their JSON type.
 */
export interface FieldSpec {
  key: string;
  check: Check;
  required: boolean;
  /** Accepted on input, never written (Rasa drops them in `as_dict()`). */
  inputOnly?: boolean;
  /** Validates inside the value (e.g. parse_data) and reports nested paths. */
  deep?: (value: unknown, path: string, problems: FieldProblem[]) => void;
}

export interface EventSpec {
  type: RasaEventType;
  fields: readonly FieldSpec[];
  /** `user` and `bot` always write `metadata`, as the last key when it is empty. */
  alwaysWritesMetadata?: boolean;
  /** Legacy 1.x events are written as their 3.x replacement. */
  writeAs?: (event: Record<string, unknown>) => Record<string, unknown>;
}

const req = (key: string, check: Check, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  key,
  check,
  required: true,
  ...extra,
});
const opt = (key: string, check: Check, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  key,
  check,
  required: false,
  ...extra,
});

const array: Check = (v) => (Array.isArray(v) ? undefined : 'an array');

function checkIntent(value: unknown, path: string, problems: FieldProblem[]): void {
  if (!isPlainObject(value)) return;
  const name = value.name === undefined ? undefined : nullable(string)(value.name);
  if (name !== undefined) problems.push({ path: `${path}.name`, expected: name, actual: value.name });
  if (value.confidence !== undefined) {
    const confidence = nullable(number)(value.confidence);
    if (confidence !== undefined)
      problems.push({ path: `${path}.confidence`, expected: confidence, actual: value.confidence });
  }
}

function checkEntities(value: unknown, path: string, problems: FieldProblem[]): void {
  if (!Array.isArray(value)) return;
  value.forEach((entity, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(entity)) {
      problems.push({ path: at, expected: 'an entity object', actual: entity });
      return;
    }
    if (typeof entity.entity !== 'string')
      problems.push({ path: `${at}.entity`, expected: 'a string', actual: entity.entity });
    for (const key of ['start', 'end', 'confidence_entity'] as const) {
      if (entity[key] !== undefined && entity[key] !== null && number(entity[key]) !== undefined)
        problems.push({ path: `${at}.${key}`, expected: 'a finite number', actual: entity[key] });
    }
  });
}

/** The keys of `parse_data` with a known type (built once: every user event is checked against them). */
const PARSE_DATA_FIELDS: readonly (readonly [string, Check])[] = [
  ['intent', nullable(object)],
  ['entities', nullable(array)],
  ['text', nullable(string)],
  ['message_id', nullable(string)],
  ['metadata', nullable(object)],
  ['intent_ranking', nullable(array)],
];

function checkParseData(value: unknown, path: string, problems: FieldProblem[]): void {
  if (!isPlainObject(value)) return;
  for (const [key, check] of PARSE_DATA_FIELDS) {
    if (value[key] === undefined) continue;
    const expected = check(value[key]);
    if (expected !== undefined) problems.push({ path: `${path}.${key}`, expected, actual: value[key] });
  }
  checkIntent(value.intent, `${path}.intent`, problems);
  checkEntities(value.entities, `${path}.entities`, problems);
  if (Array.isArray(value.intent_ranking)) {
    value.intent_ranking.forEach((intent, i) => {
      if (!isPlainObject(intent))
        problems.push({ path: `${path}.intent_ranking[${i}]`, expected: 'an intent object', actual: intent });
      else checkIntent(intent, `${path}.intent_ranking[${i}]`, problems);
    });
  }
}

const entitiesField = nullable(oneOf(array, object));

const SPECS: readonly EventSpec[] = [
  {
    type: 'user',
    alwaysWritesMetadata: true,
    fields: [
      req('text', nullable(string)),
      opt('parse_data', object, { deep: checkParseData }),
      opt('input_channel', nullable(string)),
      opt('message_id', nullable(string)),
    ],
  },
  { type: 'user_featurization', fields: [req('use_text_for_featurization', boolean)] },
  {
    type: 'entities',
    fields: [req('entities', array, { deep: checkEntities })],
  },
  {
    type: 'bot',
    alwaysWritesMetadata: true,
    fields: [req('text', nullable(string)), opt('data', nullable(object))],
  },
  { type: 'slot', fields: [req('name', string), req('value', anyJson)] },
  { type: 'restart', fields: [] },
  { type: 'rewind', fields: [] },
  { type: 'reset_slots', fields: [] },
  {
    type: 'reminder',
    fields: [
      req('intent', string),
      req('date_time', string),
      opt('entities', entitiesField, { deep: checkEntities }),
      opt('name', string),
      opt('kill_on_user_msg', boolean),
    ],
  },
  {
    type: 'cancel_reminder',
    fields: [
      opt('name', nullable(string), { inputOnly: true }),
      opt('intent', nullable(string), { inputOnly: true }),
      opt('entities', entitiesField, { inputOnly: true }),
      opt('date_time', nullable(string), { inputOnly: true }),
    ],
  },
  { type: 'undo', fields: [] },
  { type: 'export', fields: [opt('path', nullable(string), { inputOnly: true })] },
  { type: 'followup', fields: [req('name', string)] },
  { type: 'pause', fields: [] },
  { type: 'resume', fields: [] },
  {
    type: 'action',
    fields: [
      req('name', nullable(string)),
      opt('policy', nullable(string)),
      opt('confidence', nullable(number)),
      opt('action_text', nullable(string)),
      opt('hide_rule_turn', boolean),
    ],
  },
  { type: 'agent', fields: [opt('text', nullable(string)), opt('data', anyJson)] },
  { type: 'active_loop', fields: [req('name', nullable(string))] },
  { type: 'loop_interrupted', fields: [req('is_interrupted', boolean)] },
  {
    type: 'action_execution_rejected',
    fields: [req('name', string), opt('policy', nullable(string)), opt('confidence', nullable(number))],
  },
  { type: 'session_started', fields: [] },
  {
    type: 'form',
    fields: [req('name', nullable(string))],
    writeAs: (event) => ({ ...event, event: 'active_loop' }),
  },
  {
    type: 'form_validation',
    fields: [req('validate', boolean, { inputOnly: true })],
    writeAs: (event) => ({ ...event, event: 'loop_interrupted', is_interrupted: !event.validate }),
  },
];

export const EVENT_SPECS: ReadonlyMap<string, EventSpec> = new Map(SPECS.map((spec) => [spec.type, spec]));

/** Every event type name this version knows (3.x plus the legacy `form`/`form_validation`). */
export const KNOWN_EVENT_TYPES: readonly RasaEventType[] = SPECS.map((spec) => spec.type);

/** Keys every event may carry, written before the type-specific keys. */
export const COMMON_KEYS: ReadonlySet<string> = new Set(['event', 'timestamp', 'metadata']);

export function isKnownEventType(type: string): type is RasaEventType {
  return EVENT_SPECS.has(type);
}

/** Narrows a parsed event to the known union, so `switch (event.event)` is exhaustive. */
export function isKnownEvent(event: ParsedEvent): event is RasaEvent {
  return EVENT_SPECS.has(event.event);
}

/** True for events whose type this version does not know (kept verbatim by `parseEvent`). */
export function isUnknownEvent(event: ParsedEvent): event is UnknownEvent {
  return !EVENT_SPECS.has(event.event);
}
