import {
  actionExecuted,
  botUttered,
  type ParsedEvent,
  sessionStarted,
  slotSet,
  userUttered,
} from '@broker/core';

/** One step of the scripted demo: a conversation does something, then the bot saves its tracker. */
export interface DemoTurn {
  senderId: string;
  events: ParsedEvent[];
}

const metadata = { model_id: 'demo-model', assistant_id: 'moodbot' };

function userSays(text: string, intent: string, confidence: number): ParsedEvent[] {
  return [
    actionExecuted('action_listen', { metadata, policy: 'RulePolicy', confidence: 1 }),
    userUttered(text, { metadata, intent: { name: intent, confidence }, inputChannel: 'rest' }),
  ];
}

function botReplies(action: string, text: string, policy = 'RulePolicy'): ParsedEvent[] {
  return [
    actionExecuted(action, { metadata, policy, confidence: 1 }),
    botUttered(text, { metadata: { utter_action: action, ...metadata } }),
  ];
}

/**
 * Rasa's moodbot, twice at once: the conversations of the moodbot tracker fixture, with the
 * bot's replies, so two senders interleave on the broker while each stays in order.
 */
export function moodbotScript(): DemoTurn[] {
  const start = (senderId: string): DemoTurn => ({
    senderId,
    events: [
      actionExecuted('action_session_start', { metadata, confidence: 1 }),
      sessionStarted({ metadata }),
    ],
  });
  return [
    start('alice'),
    {
      senderId: 'alice',
      events: [...userSays('/greet', 'greet', 0.54), ...botReplies('utter_greet', 'Hey! How are you?')],
    },
    start('bob'),
    {
      senderId: 'bob',
      events: [...userSays('hello there', 'greet', 0.97), ...botReplies('utter_greet', 'Hey! How are you?')],
    },
    {
      senderId: 'alice',
      events: [
        ...userSays('/mood_great', 'mood_great', 0.6),
        slotSet('mood', 'great', { metadata }),
        ...botReplies('utter_happy', 'Great, carry on!', 'TEDPolicy'),
      ],
    },
    {
      senderId: 'bob',
      events: [
        ...userSays('not so good', 'mood_unhappy', 0.91),
        slotSet('mood', 'unhappy', { metadata }),
        ...botReplies('utter_cheer_up', 'Here is something to cheer you up: 🐯', 'TEDPolicy'),
        ...botReplies('utter_did_that_help', 'Did that help you?'),
      ],
    },
    {
      senderId: 'bob',
      events: [...userSays('yes', 'affirm', 0.99), ...botReplies('utter_happy', 'Great, carry on!')],
    },
    {
      senderId: 'alice',
      events: [
        ...userSays('bye', 'goodbye', 0.99),
        ...botReplies('utter_goodbye', 'Bye'),
        actionExecuted('action_listen'),
      ],
    },
  ];
}
