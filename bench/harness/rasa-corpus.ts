import {
  actionExecuted,
  botUttered,
  type EventMessageBody,
  type ParsedEvent,
  serialiseEvent,
  slotSet,
  userUttered,
} from '@broker/core';

export interface BenchEvent {
  senderId: string;
  /** The wire body, exactly as Rasa writes it. */
  body: string;
  /** The event object the body was written from, as a tracker holds it (a corpus made `withEvents`). */
  event?: ParsedEvent;
}

/** How a benchmark side hands events to its client: wire text, or event objects as a tracker store does. */
export type BodyForm = 'text' | 'objects';

/**
 * The object `StreamingTrackerStore` publishes for an event, `{sender_id, ...event}`, built anew
 * for every publish as the store builds it.
 */
export function eventMessage(event: BenchEvent): EventMessageBody {
  if (!event.event) throw new Error('eventMessage needs a corpus made withEvents');
  return { sender_id: event.senderId, ...event.event } as EventMessageBody;
}

const metadata = { model_id: '5c1f0e0d6a3b4c2e9f8a7b6c5d4e3f21', assistant_id: 'moodbot' };

/**
 * `count` wire bodies of Rasa 3.x conversations, serialised up front so the generator stays out
 * of the measurement. Each turn is a user message (with NLU parse data), the policy's action,
 * the bot's answer, a slot and action_listen: about 400 bytes on average, spread over
 * `senders` interleaved conversations, each `withEvents` also with the event object it was written
 * from. Every benchmark uses this corpus.
 */
export function rasaCorpus(count: number, senders = 100, withEvents = false): BenchEvent[] {
  const events: BenchEvent[] = [];
  let timestamp = 1716801234.5;
  const tick = () => {
    timestamp += 0.01;
    return timestamp;
  };
  for (let i = 0; events.length < count; i++) {
    const senderId = `bench-user-${(i * 7919) % senders}`;
    const text = `I am feeling great today, thanks for asking (message ${i})`;
    const messageId = `0f3c2a9d8b7e4f61a2b3c4d5${String(i).padStart(8, '0')}`;
    const turn = [
      userUttered(text, {
        timestamp: tick(),
        metadata,
        parseData: {
          intent: { name: 'mood_great', confidence: 0.9871 },
          entities: [{ entity: 'mood', start: 13, end: 18, value: 'great', extractor: 'DIETClassifier' }],
          text,
          message_id: messageId,
          metadata: {},
          intent_ranking: [
            { name: 'mood_great', confidence: 0.9871 },
            { name: 'affirm', confidence: 0.0104 },
          ],
        },
        inputChannel: 'rest',
        messageId,
      }),
      actionExecuted('utter_happy', {
        timestamp: tick(),
        metadata,
        policy: 'policy_1_TEDPolicy',
        confidence: 0.9923,
      }),
      botUttered('Great, carry on! Is there anything else I can help you with today?', {
        timestamp: tick(),
        metadata,
      }),
      slotSet('mood', 'great', { timestamp: tick(), metadata }),
      actionExecuted('action_listen', {
        timestamp: tick(),
        metadata,
        policy: 'policy_2_MemoizationPolicy',
        confidence: 1,
      }),
    ];
    for (const event of turn) {
      if (events.length < count) {
        const body = serialiseEvent(senderId, event);
        // The objects only where a side publishes them: they would weigh on every other run's RSS.
        events.push(withEvents ? { senderId, body, event } : { senderId, body });
      }
    }
  }
  return events;
}

/** Mean UTF-8 size of the bodies, in bytes. */
export function meanBodyBytes(events: readonly BenchEvent[]): number {
  if (events.length === 0) return 0;
  return Math.round(events.reduce((sum, e) => sum + Buffer.byteLength(e.body), 0) / events.length);
}
