/** Wire bodies as a Rasa 3.x server writes them (`sender_id` first). */
function wire(senderId: string, events: Record<string, unknown>[]): string[] {
  return events.map((event) => JSON.stringify({ sender_id: senderId, ...event }));
}

/**
 * A booking conversation with one event of every kind the transcript shows: a session start,
 * user messages with intents and entities, actions with policies, a slot, a form, a bot
 * message with buttons and an image, a reminder, a Rasa Pro event this version does not know,
 * and a restart. `start` is the first timestamp (seconds).
 */
export function scriptedConversation(senderId: string, start: number): string[] {
  let i = 0;
  const at = () => start + i++ * 0.5;
  return wire(senderId, [
    { event: 'action', timestamp: at(), name: 'action_session_start', policy: null, confidence: 1.0 },
    { event: 'session_started', timestamp: at() },
    { event: 'action', timestamp: at(), name: 'action_listen', policy: null, confidence: null },
    {
      event: 'user',
      timestamp: at(),
      text: 'I want to fly to Berlin',
      parse_data: {
        intent: { name: 'book_flight', confidence: 0.9712 },
        entities: [
          {
            entity: 'city',
            value: 'Berlin',
            start: 17,
            end: 23,
            confidence_entity: 0.9931,
            extractor: 'DIETClassifier',
          },
        ],
      },
      input_channel: 'rest',
    },
    { event: 'slot', timestamp: at(), name: 'city', value: 'Berlin' },
    { event: 'action', timestamp: at(), name: 'flight_form', policy: 'RulePolicy', confidence: 1.0 },
    { event: 'active_loop', timestamp: at(), name: 'flight_form' },
    {
      event: 'bot',
      timestamp: at(),
      text: 'When do you want to travel?',
      data: {
        buttons: [
          { title: 'Tomorrow', payload: '/inform{"date":"tomorrow"}' },
          { title: 'Next week', payload: '/inform{"date":"next week"}' },
        ],
        image: 'https://example.com/plane.png',
      },
    },
    { event: 'action', timestamp: at(), name: 'action_listen', policy: 'RulePolicy', confidence: 1.0 },
    {
      event: 'user',
      timestamp: at(),
      text: 'tomorrow',
      parse_data: { intent: { name: 'inform', confidence: 0.8812 }, entities: [] },
    },
    { event: 'active_loop', timestamp: at(), name: null },
    {
      event: 'reminder',
      timestamp: at(),
      intent: 'remind_checkin',
      date_time: '2026-12-02T09:00:00+00:00',
      name: 'checkin',
      kill_on_user_msg: false,
    },
    { event: 'rasa_pro_flow_started', timestamp: at(), flow_id: 'book_flight' },
    { event: 'restart', timestamp: at() },
  ]);
}

/** What the conversation says next (published once the page shows the first part). */
export function nextTurn(senderId: string, start: number): string[] {
  return wire(senderId, [
    {
      event: 'user',
      timestamp: start,
      text: 'thanks a lot',
      parse_data: { intent: { name: 'thank', confidence: 0.95 }, entities: [] },
    },
    { event: 'bot', timestamp: start + 0.5, text: "You're welcome!", data: {} },
  ]);
}
