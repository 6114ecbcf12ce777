import type {
  ActionExecutedEvent,
  BotData,
  BotUtteredEvent,
  EventMetadata,
  JsonValue,
  ParseData,
  SessionStartedEvent,
  SlotSetEvent,
  UserUtteredEvent,
} from './event-types';

/** Where `performance.now()` starts on the wall clock, in ms since the epoch (re-anchored below). */
let monotonicOrigin = performance.timeOrigin;

/**
 * Seconds since the epoch as a float with microsecond resolution, like Python's `time.time()`
 * (`Date.now()` has whole milliseconds only, so two events of one turn could share a timestamp).
 * The sub-millisecond part comes from the monotonic clock, which does not follow steps of the
 * wall clock (NTP, a resumed VM): when it strays more than a millisecond outside the wall-clock
 * readings taken around it, it is anchored on the wall clock again (to half a millisecond).
 */
export function nowInSeconds(): number {
  const before = Date.now();
  const monotonic = performance.now();
  const after = Date.now();
  const precise = monotonicOrigin + monotonic;
  if (precise >= before - 1 && precise < after + 2) return precise / 1000;
  monotonicOrigin = after + 0.5 - monotonic;
  return (after + 0.5) / 1000;
}

/** What every builder accepts: the timestamp (default now) and metadata. */
export interface EventBuilderOptions {
  timestamp?: number;
  metadata?: EventMetadata;
}

/** A `user` event as Rasa 3.x writes it (every field present, `metadata` always). */
export function userUttered(
  text: string | null,
  options: EventBuilderOptions & {
    intent?: { name?: string | null; confidence?: number };
    entities?: ParseData['entities'];
    parseData?: ParseData;
    inputChannel?: string | null;
    messageId?: string | null;
  } = {},
): UserUtteredEvent {
  const messageId = options.messageId ?? null;
  const parseData: ParseData = options.parseData ?? {
    intent: options.intent ?? {},
    entities: options.entities ?? [],
    text,
    message_id: messageId,
    metadata: {},
  };
  return {
    event: 'user',
    timestamp: options.timestamp ?? nowInSeconds(),
    metadata: options.metadata ?? {},
    text,
    parse_data: parseData,
    input_channel: options.inputChannel ?? null,
    message_id: messageId,
  };
}

/** A `bot` event; `data` gets Rasa's six nullable keys unless given. */
export function botUttered(
  text: string | null,
  options: EventBuilderOptions & { data?: BotData } = {},
): BotUtteredEvent {
  return {
    event: 'bot',
    timestamp: options.timestamp ?? nowInSeconds(),
    metadata: options.metadata ?? {},
    text,
    data: options.data ?? {
      elements: null,
      quick_replies: null,
      buttons: null,
      attachment: null,
      image: null,
      custom: null,
    },
  };
}

/** An `action` event (`action_listen`, `utter_greet`, ...). */
export function actionExecuted(
  name: string,
  options: EventBuilderOptions & {
    policy?: string | null;
    confidence?: number | null;
    actionText?: string | null;
    hideRuleTurn?: boolean;
  } = {},
): ActionExecutedEvent {
  return {
    event: 'action',
    timestamp: options.timestamp ?? nowInSeconds(),
    ...(options.metadata ? { metadata: options.metadata } : {}),
    name,
    policy: options.policy ?? null,
    confidence: options.confidence ?? null,
    action_text: options.actionText ?? null,
    hide_rule_turn: options.hideRuleTurn ?? false,
  };
}

/** A `slot` event. */
export function slotSet(name: string, value: JsonValue, options: EventBuilderOptions = {}): SlotSetEvent {
  return {
    event: 'slot',
    timestamp: options.timestamp ?? nowInSeconds(),
    ...(options.metadata ? { metadata: options.metadata } : {}),
    name,
    value,
  };
}

/** A `session_started` event. */
export function sessionStarted(options: EventBuilderOptions = {}): SessionStartedEvent {
  return {
    event: 'session_started',
    timestamp: options.timestamp ?? nowInSeconds(),
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
}
