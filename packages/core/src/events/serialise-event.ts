import { EventValidationError } from '../errors/errors';
import { COMMON_KEYS, EVENT_SPECS, type EventSpec } from './event-schema';
import type { ParsedEvent } from './event-types';
import { describeValue, isPlainObject } from './field-checks';
import { findEventProblems } from './parse-event';
import { NonFiniteNumberError, PythonJsonObject } from './python-json';

export interface SerialiseEventOptions {
  /**
   * Where `sender_id` goes. Live streaming writes it first (`{"sender_id": ...} | as_dict()`);
   * `rasa export` appends it last. Default `first`.
   */
  senderIdPosition?: 'first' | 'last';
  /** Skip validation when the event is known to be valid (e.g. it came from `parseEvent`). */
  trusted?: boolean;
}

/** How one event type is written: its typed keys in Rasa's order and every key that is not an extra. */
interface WriteOrder {
  writtenSpec: EventSpec | undefined;
  typedKeys: readonly string[];
  notExtra: ReadonlySet<string>;
}

/** Per event type (undefined: unknown types), worked out at its first event. */
const writeOrders = new Map<EventSpec | undefined, WriteOrder>();

function writeOrderOf(spec: EventSpec | undefined, writtenType: unknown): WriteOrder {
  let order = writeOrders.get(spec);
  if (order) return order;
  const writtenSpec = spec?.writeAs ? EVENT_SPECS.get(writtenType as string) : spec;
  const notExtra = new Set(COMMON_KEYS);
  // Input-only keys of the original type (e.g. form_validation's `validate`) are never written.
  for (const field of spec?.fields ?? []) if (field.inputOnly) notExtra.add(field.key);
  const typedKeys: string[] = [];
  for (const field of writtenSpec?.fields ?? []) {
    if (field.inputOnly) continue;
    notExtra.add(field.key);
    typedKeys.push(field.key);
  }
  order = { writtenSpec, typedKeys, notExtra };
  writeOrders.set(spec, order);
  return order;
}

const isEnumerable = (value: object, key: string): boolean =>
  Object.prototype.propertyIsEnumerable.call(value, key);

const isEmptyObject = (value: unknown): boolean => isPlainObject(value) && Object.keys(value).length === 0;

/** Receives an event's fields in the order they are written. */
interface FieldSink {
  field(key: string, value: unknown): void;
}

/**
 * Gives `sink` each key and value of the event in the order Rasa 3.x's `as_dict()` writes them:
 * event, timestamp, metadata, typed keys, extras (`undefined` values left out).
 */
function writeOrderedFields(event: ParsedEvent, sink: FieldSink): void {
  const spec = EVENT_SPECS.get(event.event);
  const source = spec?.writeAs
    ? spec.writeAs(event as Record<string, unknown>)
    : (event as Record<string, unknown>);
  const order = writeOrderOf(spec, source.event);
  sink.field('event', source.event);
  sink.field('timestamp', source.timestamp);
  const metadata = source.metadata;
  const hasMetadata = metadata !== undefined && metadata !== null && !isEmptyObject(metadata);
  // Unknown types keep their metadata as given: we do not know their writer's rule.
  if (hasMetadata || (!spec && metadata !== undefined)) sink.field('metadata', metadata);
  for (const key of order.typedKeys) if (source[key] !== undefined) sink.field(key, source[key]);
  if (!hasMetadata && order.writtenSpec?.alwaysWritesMetadata && metadata !== undefined)
    sink.field('metadata', metadata ?? {});
  for (const key of Object.keys(source)) {
    // `__proto__` cannot be an own key of a plain object built by assignment: never written.
    if (order.notExtra.has(key) || key === '__proto__') continue;
    const value = source[key];
    if (value !== undefined) sink.field(key, value);
  }
}

/** The event as Rasa 3.x's `as_dict()` orders it: event, timestamp, metadata, typed keys, extras. */
export function orderEventFields(event: ParsedEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  writeOrderedFields(event, {
    field(key, value) {
      out[key] = value;
    },
  });
  return out;
}

/**
 * The wire body Rasa publishes for one event of conversation `senderId`: `sender_id` first,
 * then Rasa's key order, encoded the way Python's `json.dumps` encodes it. Validates the event
 * first (unless `trusted`) and throws an EventValidationError naming the field.
 */
export function serialiseEvent(
  senderId: string,
  event: ParsedEvent,
  options: SerialiseEventOptions = {},
): string {
  checkSenderId(senderId);
  if (!options.trusted) checkEvent(event);
  return writeEventJson(senderId, event, options.senderIdPosition ?? 'first', false);
}

/**
 * The wire body for a published object that carries its conversation id as `sender_id` among
 * the event's own keys: the same bytes as `serialiseEvent(body.sender_id, <body without
 * sender_id>)`, without copying the body first.
 */
export function serialiseEventMessage(body: Record<string, unknown>): { senderId: string; body: string } {
  const senderId = body.sender_id as string;
  checkSenderId(senderId);
  checkEvent(body as unknown as ParsedEvent);
  return { senderId, body: writeEventJson(senderId, body as unknown as ParsedEvent, 'first', true) };
}

function checkSenderId(senderId: unknown): void {
  if (typeof senderId !== 'string' || senderId === '') {
    throw new EventValidationError(
      'sender_id',
      `Cannot serialise an event: sender_id must be a non-empty string (the conversation id), got ${describeValue(senderId)}.`,
    );
  }
}

function checkEvent(event: ParsedEvent): void {
  if (!isPlainObject(event)) {
    throw new EventValidationError(
      '$',
      `Cannot serialise an event: expected an object, got ${describeValue(event)}.`,
    );
  }
  const [problem] = findEventProblems(event);
  if (problem) {
    throw new EventValidationError(
      problem.path,
      `Invalid "${String(event.event)}" event: ${problem.path} must be ${problem.expected}, got ${describeValue(problem.actual)}.`,
    );
  }
}

/**
 * The body as JSON text, written straight from the fields without building the ordered object.
 * A `sender_id` among the event's own keys is either the body's conversation id (`ownSenderId`:
 * left out here) or an extra key, which ends up where spreading the ordered fields next to
 * `sender_id` put it: its value first, or its place with the id last.
 */
class EventJsonWriter implements FieldSink {
  private readonly json = new PythonJsonObject();
  private senderIdWritten = false;

  constructor(
    event: ParsedEvent,
    private readonly senderId: string,
    private readonly position: 'first' | 'last',
    private readonly ownSenderId: boolean,
  ) {
    if (position === 'last') return;
    const extra =
      !ownSenderId && isEnumerable(event, 'sender_id')
        ? (event as Record<string, unknown>).sender_id
        : undefined;
    this.json.add('sender_id', extra === undefined ? senderId : extra);
  }

  field(key: string, value: unknown): void {
    if (key !== 'sender_id') this.json.add(key, value);
    else if (this.ownSenderId || this.position === 'first') return;
    else {
      this.senderIdWritten = true;
      this.json.add(key, this.senderId);
    }
  }

  text(): string {
    if (this.position === 'last' && !this.senderIdWritten) this.json.add('sender_id', this.senderId);
    return this.json.text();
  }
}

function writeEventJson(
  senderId: string,
  event: ParsedEvent,
  position: 'first' | 'last',
  ownSenderId: boolean,
): string {
  const writer = new EventJsonWriter(event, senderId, position, ownSenderId);
  try {
    writeOrderedFields(event, writer);
    return writer.text();
  } catch (error) {
    if (error instanceof NonFiniteNumberError) {
      throw new EventValidationError(
        error.path,
        `Invalid "${event.event}" event: ${error.path} is NaN or Infinity, which JSON cannot carry.`,
      );
    }
    throw error;
  }
}
