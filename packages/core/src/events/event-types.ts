/**
 * Rasa's conversation events as they appear on the wire (`as_dict()` in Rasa 3.x), with the
 * wire's snake_case field names. Fields that Rasa 3.x always writes but older producers (Rasa
 * 1.x/2.x) did not are optional here: a consumer of a real stream may not see them.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Rasa 3.x adds `model_id` and `assistant_id` to every event created while handling a message. */
export interface EventMetadata extends JsonObject {}

interface EventBase<T extends string> {
  event: T;
  /** Seconds since the epoch, as a float (Python's `time.time()`). */
  timestamp: number;
  metadata?: EventMetadata;
}

export interface Intent {
  name?: string | null;
  confidence?: number;
  [key: string]: unknown;
}

export interface Entity {
  entity: string;
  value: JsonValue;
  start?: number;
  end?: number;
  confidence_entity?: number;
  extractor?: string;
  processors?: string[];
  role?: string;
  group?: string;
  additional_info?: JsonValue;
  [key: string]: unknown;
}

/** What the NLU pipeline made of a user message; Rasa passes extra pipeline output through. */
export interface ParseData {
  intent?: Intent;
  entities?: Entity[];
  text?: string | null;
  message_id?: string | null;
  metadata?: JsonObject | null;
  text_tokens?: [number, number][];
  intent_ranking?: Intent[];
  response_selector?: JsonObject;
  [key: string]: unknown;
}

export interface BotData {
  elements?: JsonValue;
  quick_replies?: JsonValue;
  buttons?: JsonValue;
  attachment?: JsonValue;
  image?: JsonValue;
  custom?: JsonValue;
  [key: string]: unknown;
}

export interface UserUtteredEvent extends EventBase<'user'> {
  text: string | null;
  parse_data?: ParseData;
  input_channel?: string | null;
  message_id?: string | null;
}

export interface BotUtteredEvent extends EventBase<'bot'> {
  text: string | null;
  data?: BotData | null;
}

export interface ActionExecutedEvent extends EventBase<'action'> {
  /** `null` only for end-to-end text actions. */
  name: string | null;
  policy?: string | null;
  confidence?: number | null;
  action_text?: string | null;
  hide_rule_turn?: boolean;
}

export interface SlotSetEvent extends EventBase<'slot'> {
  name: string;
  value: JsonValue;
}

export interface AllSlotsResetEvent extends EventBase<'reset_slots'> {}
export interface RestartedEvent extends EventBase<'restart'> {}
export interface UserUtteranceRevertedEvent extends EventBase<'rewind'> {}
export interface ActionRevertedEvent extends EventBase<'undo'> {}
export interface ConversationPausedEvent extends EventBase<'pause'> {}
export interface ConversationResumedEvent extends EventBase<'resume'> {}
export interface SessionStartedEvent extends EventBase<'session_started'> {}

export interface FollowupActionEvent extends EventBase<'followup'> {
  name: string;
}

export interface ReminderScheduledEvent extends EventBase<'reminder'> {
  intent: string;
  /** Python `datetime.isoformat()`, naive or with an offset. */
  date_time: string;
  entities?: Entity[] | JsonObject | null;
  name?: string;
  kill_on_user_msg?: boolean;
}

/** Rasa serialises no fields for this event; `name`/`intent`/`entities` are accepted on input only. */
export interface ReminderCancelledEvent extends EventBase<'cancel_reminder'> {
  name?: string | null;
  intent?: string | null;
  entities?: Entity[] | JsonObject | null;
}

export interface AgentUtteredEvent extends EventBase<'agent'> {
  text?: string | null;
  data?: JsonValue;
}

export interface ActiveLoopEvent extends EventBase<'active_loop'> {
  /** `null` deactivates the loop. */
  name: string | null;
}

export interface LoopInterruptedEvent extends EventBase<'loop_interrupted'> {
  is_interrupted: boolean;
}

export interface ActionExecutionRejectedEvent extends EventBase<'action_execution_rejected'> {
  name: string;
  policy?: string | null;
  confidence?: number | null;
}

export interface EntitiesAddedEvent extends EventBase<'entities'> {
  entities: Entity[];
}

export interface DefinePrevUserUtteredFeaturizationEvent extends EventBase<'user_featurization'> {
  use_text_for_featurization: boolean;
}

/** Rasa serialises no fields for this event; `path` is accepted on input only. */
export interface StoryExportedEvent extends EventBase<'export'> {
  path?: string | null;
}

/** Rasa 1.x form event; re-emitted as `active_loop`, as Rasa 3.x does. */
export interface LegacyFormEvent extends EventBase<'form'> {
  name: string | null;
}

/** Rasa 1.x form validation event; re-emitted as `loop_interrupted` with `is_interrupted = !validate`. */
export interface LegacyFormValidationEvent extends EventBase<'form_validation'> {
  validate: boolean;
}

/** Every event type Rasa 3.x knows, plus the two legacy 1.x inputs. Discriminated on `event`. */
export type RasaEvent =
  | UserUtteredEvent
  | BotUtteredEvent
  | ActionExecutedEvent
  | SlotSetEvent
  | AllSlotsResetEvent
  | RestartedEvent
  | UserUtteranceRevertedEvent
  | ActionRevertedEvent
  | FollowupActionEvent
  | ReminderScheduledEvent
  | ReminderCancelledEvent
  | ConversationPausedEvent
  | ConversationResumedEvent
  | AgentUtteredEvent
  | ActiveLoopEvent
  | LoopInterruptedEvent
  | ActionExecutionRejectedEvent
  | SessionStartedEvent
  | EntitiesAddedEvent
  | DefinePrevUserUtteredFeaturizationEvent
  | StoryExportedEvent
  | LegacyFormEvent
  | LegacyFormValidationEvent;

export type RasaEventType = RasaEvent['event'];

/** An event whose type name this version does not know (Rasa Pro adds types). Kept verbatim. */
export interface UnknownEvent {
  event: string;
  timestamp?: number;
  metadata?: JsonObject;
  [key: string]: unknown;
}

/** What `parseEvent` returns unless `strict` is set. Use `isKnownEvent` to narrow. */
export type ParsedEvent = RasaEvent | UnknownEvent;

/** One message on the wire: the event plus the conversation it belongs to. */
export interface EventMessage {
  senderId: string;
  event: ParsedEvent;
}
