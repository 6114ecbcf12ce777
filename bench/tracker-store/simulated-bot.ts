import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { actionExecuted, botUttered, type TrackerStore, userUttered } from '@broker/core';
import type { LatencyRecorder } from 'broker-bench-harness';

export interface BotLoad {
  conversations: number;
  /** Mean time between two turns of one conversation, in ms (each wait is uniform in 0.5x..1.5x). */
  meanTurnIntervalMs: number;
  /** How long the measured phase runs, in ms. */
  durationMs: number;
}

/**
 * A bot serving `conversations` users at once, as Rasa's message processor does per turn: load
 * the tracker, add the turn's events (user message, the predicted action, the bot's answer,
 * action_listen), save it. Every conversation runs its own loop with a random think time.
 * Records how long each `save()` takes.
 */
export async function runSimulatedBot(
  store: TrackerStore,
  load: BotLoad,
  saveTime: LatencyRecorder,
): Promise<{ turns: number }> {
  let turns = 0;
  const deadline = performance.now() + load.durationMs;
  const conversation = async (id: number) => {
    const senderId = `tracker-bench-${id}`;
    // Spread the first turns over one interval so the conversations do not move in lockstep.
    await sleep(Math.random() * load.meanTurnIntervalMs);
    while (performance.now() < deadline) {
      await takeTurn(store, senderId, turns, saveTime);
      turns++;
      await sleep(load.meanTurnIntervalMs * (0.5 + Math.random()));
    }
  };
  await Promise.all(Array.from({ length: load.conversations }, (_, id) => conversation(id)));
  return { turns };
}

/** One user turn: four events, then `save()` (which streams them when the store has a broker). */
export async function takeTurn(
  store: TrackerStore,
  senderId: string,
  turn: number,
  saveTime: LatencyRecorder,
): Promise<void> {
  const tracker = await store.getOrCreateTracker(senderId);
  const text = `I am feeling great today (turn ${turn})`;
  tracker
    .update(
      userUttered(text, {
        intent: { name: 'mood_great', confidence: 0.9871 },
        metadata: { model_id: '5c1f0e0d6a3b4c2e9f8a7b6c5d4e3f21' },
        inputChannel: 'rest',
      }),
    )
    .update(actionExecuted('utter_happy', { policy: 'policy_1_TEDPolicy', confidence: 0.9923 }))
    .update(botUttered('Great, carry on!', { metadata: { utter_action: 'utter_happy' } }))
    .update(actionExecuted('action_listen', { policy: 'policy_2_MemoizationPolicy', confidence: 1 }));
  const before = performance.now();
  await store.save(tracker);
  saveTime.recordSince(before);
}
