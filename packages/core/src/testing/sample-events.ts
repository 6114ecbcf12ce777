import type { RasaEvent } from '../events/event-types';

const metadata = { model_id: '5c1f0e0d6a3b4c2e9f8a7b6c5d4e3f21', assistant_id: 'placeholder_default' };
const ts = 1716801234.5;

/**
 * One valid event of every type Rasa 3.x writes, shaped as Rasa writes them (spec §11.4), for
 * wire tests of any broker. Legacy `form`/`form_validation` inputs are not included: they are
 * written as `active_loop`/`loop_interrupted`.
 */
export const SAMPLE_EVENTS: readonly RasaEvent[] = [
  {
    event: 'user',
    timestamp: 1716801234.35512,
    metadata,
    text: 'I want to fly to Berlin',
    parse_data: {
      intent: { name: 'book_flight', confidence: 0.9871 },
      entities: [
        {
          entity: 'city',
          start: 17,
          end: 23,
          confidence_entity: 0.9982,
          value: 'Berlin',
          extractor: 'DIETClassifier',
        },
      ],
      text: 'I want to fly to Berlin',
      message_id: '0f3c2a9d8b7e4f61a2b3c4d5e6f70819',
      metadata: {},
      text_tokens: [
        [0, 1],
        [2, 6],
      ],
      intent_ranking: [{ name: 'book_flight', confidence: 0.9871 }],
    },
    input_channel: 'rest',
    message_id: '0f3c2a9d8b7e4f61a2b3c4d5e6f70819',
  },
  { event: 'user_featurization', timestamp: ts, metadata, use_text_for_featurization: false },
  {
    event: 'entities',
    timestamp: ts,
    metadata,
    entities: [{ entity: 'city', value: 'Berlin', start: 17, end: 23 }],
  },
  {
    event: 'bot',
    timestamp: 1716801234.41188,
    metadata: { utter_action: 'utter_ask_date', ...metadata },
    text: 'When do you want to travel? ✈️ «bientôt»',
    data: { elements: null, quick_replies: null, buttons: null, attachment: null, image: null, custom: null },
  },
  { event: 'slot', timestamp: 1716801234.36001, metadata, name: 'city', value: 'Berlin' },
  { event: 'restart', timestamp: ts, metadata },
  { event: 'rewind', timestamp: ts },
  { event: 'reset_slots', timestamp: ts },
  {
    event: 'reminder',
    timestamp: ts,
    intent: 'remind_me',
    date_time: '2024-05-27T12:00:00+00:00',
    entities: [{ entity: 'topic', value: 'call' }],
    name: 'my_reminder',
    kill_on_user_msg: true,
  },
  { event: 'cancel_reminder', timestamp: ts },
  { event: 'undo', timestamp: ts },
  { event: 'export', timestamp: ts },
  { event: 'followup', timestamp: ts, name: 'action_check_weather' },
  { event: 'pause', timestamp: ts },
  { event: 'resume', timestamp: ts },
  {
    event: 'action',
    timestamp: 1716801234.41105,
    metadata,
    name: 'utter_ask_date',
    policy: 'RulePolicy',
    confidence: 1.0,
    action_text: null,
    hide_rule_turn: true,
  },
  { event: 'agent', timestamp: ts, text: 'A human agent replied', data: null },
  { event: 'active_loop', timestamp: ts, metadata, name: 'flight_form' },
  { event: 'loop_interrupted', timestamp: ts, metadata, is_interrupted: true },
  {
    event: 'action_execution_rejected',
    timestamp: ts,
    metadata,
    name: 'flight_form',
    policy: 'RulePolicy',
    confidence: 1.0,
  },
  { event: 'session_started', timestamp: 1716801234.102102, metadata },
];
