import type { ParsedEvent } from '@broker/core';
import type { ButtonView, EntityView, LinkView, ViewItem } from './view-model';

type Fields = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const number = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON value as text for the page: strings as they are, anything else as JSON. */
export function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

/** `value` when it is an absolute http(s) URL, else null: the page links nothing else (no `javascript:`, no `data:`). */
export function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function entities(value: unknown): EntityView[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((entity) => ({
    entity: jsonText(entity.entity ?? ''),
    value: jsonText(entity.value ?? null),
    confidence: number(entity.confidence_entity ?? entity.confidence),
    extractor: text(entity.extractor),
    role: text(entity.role),
    group: text(entity.group),
  }));
}

function buttons(data: Fields): ButtonView[] {
  const all = [data.buttons, data.quick_replies].flatMap((list) => (Array.isArray(list) ? list : []));
  return all.filter(isObject).map((button) => ({
    title: jsonText(button.title ?? button.payload ?? ''),
    payload: button.payload === undefined || button.payload === null ? null : jsonText(button.payload),
    url: httpUrl(button.url),
  }));
}

/** Images and attachments: links when they are http(s) addresses, otherwise left to `extra`. */
function links(data: Fields): { links: LinkView[]; unlinked: Fields } {
  const found: LinkView[] = [];
  const unlinked: Fields = {};
  for (const key of ['image', 'attachment'] as const) {
    const value = data[key];
    if (value === undefined || value === null) continue;
    const href = httpUrl(value) ?? (isObject(value) ? httpUrl(value.url ?? value.src) : null);
    if (href) found.push({ label: key, href });
    else unlinked[key] = value;
  }
  return { links: found, unlinked };
}

function botItem(event: Fields) {
  const data = isObject(event.data) ? event.data : {};
  const found = links(data);
  const extra: Fields = { ...found.unlinked };
  for (const key of ['elements', 'custom']) {
    if (data[key] !== undefined && data[key] !== null) extra[key] = data[key];
  }
  return {
    kind: 'bot' as const,
    text: text(event.text),
    buttons: buttons(data),
    links: found.links,
    extra: Object.keys(extra).length > 0 ? JSON.stringify(extra) : null,
  };
}

function userItem(event: Fields) {
  const parse = isObject(event.parse_data) ? event.parse_data : {};
  const intent = isObject(parse.intent) ? parse.intent : undefined;
  const name = text(intent?.name);
  return {
    kind: 'user' as const,
    text: text(event.text),
    intent: name ? { name, confidence: number(intent?.confidence) } : null,
    entities: entities(parse.entities),
    channel: text(event.input_channel),
  };
}

function reminderLabel(event: Fields): string {
  const name = text(event.name);
  const when = text(event.date_time);
  return `Reminder scheduled${name ? ` ${name}` : ''}: intent ${jsonText(event.intent ?? '')}${when ? ` at ${when}` : ''}`;
}

/** Markers: events that are one line of text between the messages (a Map: an event type is untrusted text). */
const MARKERS = new Map<string, (event: Fields) => string>(
  Object.entries({
    restart: () => 'Conversation restarted',
    rewind: () => 'User message reverted (rewind)',
    undo: () => 'Last action undone',
    reset_slots: () => 'All slots reset',
    pause: () => 'Conversation paused',
    resume: () => 'Conversation resumed',
    reminder: reminderLabel,
    cancel_reminder: (e) => `Reminder cancelled${text(e.name) ? `: ${text(e.name)}` : ''}`,
    followup: (e) => `Follow-up action: ${jsonText(e.name ?? '')}`,
    export: () => 'Story exported',
    user_featurization: (e) =>
      `Previous user message featurized by ${e.use_text_for_featurization ? 'text' : 'intent'}`,
    loop_interrupted: (e) => (e.is_interrupted ? 'Loop interrupted' : 'Loop resumed'),
    // Rasa 1.x: a failed form validation interrupts the form (Rasa 3.x writes loop_interrupted).
    form_validation: (e) =>
      e.validate ? 'Form validation on (loop resumed)' : 'Form validation off (loop interrupted)',
  } satisfies Record<string, (event: Fields) => string>),
);

/**
 * The page's view of one event. `event` is what `parseEvent` / `parseEventMessage` returned
 * (untrusted content; the page sets it as text only), `raw` the wire body as received.
 */
export function toViewItem(event: ParsedEvent, raw: string, seq: number): ViewItem {
  const e = event as Fields;
  const base = { seq, type: event.event, timestamp: number(e.timestamp), raw };
  switch (event.event) {
    case 'user':
      return { ...base, ...userItem(e) };
    case 'bot':
      return { ...base, ...botItem(e) };
    case 'agent':
      return { ...base, kind: 'agent', text: text(e.text) };
    case 'action':
    case 'action_execution_rejected':
      return {
        ...base,
        kind: 'action',
        name: jsonText(e.name ?? '(end-to-end text)'),
        policy: text(e.policy),
        confidence: number(e.confidence),
        rejected: event.event === 'action_execution_rejected',
      };
    case 'slot':
      return { ...base, kind: 'slot', name: jsonText(e.name ?? ''), value: jsonText(e.value ?? null) };
    case 'entities':
      return { ...base, kind: 'entities', entities: entities(e.entities) };
    case 'active_loop':
    case 'form':
      return { ...base, kind: 'loop', name: text(e.name) };
    case 'session_started':
      return { ...base, kind: 'session' };
    default: {
      const marker = MARKERS.get(event.event);
      return marker ? { ...base, kind: 'marker', label: marker(e) } : { ...base, kind: 'unknown' };
    }
  }
}
