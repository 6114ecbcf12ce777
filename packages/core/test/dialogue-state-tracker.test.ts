import { describe, expect, it } from 'vitest';
import { actionExecuted, DialogueStateTracker, sessionStarted, slotSet, userUttered } from '../src/index';

describe('DialogueStateTracker', () => {
  it('derives slots from slot, reset_slots and restart, starting from the domain values', () => {
    const tracker = new DialogueStateTracker('u', { slots: { name: null, mood: 'ok' } });
    tracker.update(slotSet('name', 'Ada')).update(slotSet('mood', 'great'));
    expect(tracker.slots).toEqual({ name: 'Ada', mood: 'great' });
    tracker.update({ event: 'reset_slots', timestamp: 1 });
    expect(tracker.slots).toEqual({ name: null, mood: 'ok' });
    tracker.update(slotSet('name', 'Bob')).update({ event: 'restart', timestamp: 2 });
    expect(tracker.slots).toEqual({ name: null, mood: 'ok' });
  });

  it('takes back the last user message on rewind and the last action on undo', () => {
    const tracker = new DialogueStateTracker('u');
    tracker.updateWithEvents([
      actionExecuted('action_listen'),
      userUttered('hi'),
      slotSet('greeted', true),
      actionExecuted('utter_greet'),
      { event: 'undo', timestamp: 1 },
    ]);
    expect(tracker.latestActionName).toBe('action_listen');
    tracker.update({ event: 'rewind', timestamp: 2 });
    expect(tracker.latestMessage).toBeUndefined();
    expect(tracker.appliedEvents()).toEqual([]);
    expect(tracker.events).toHaveLength(6);
  });

  it('splits sessions at action_session_start + session_started and resets state at each', () => {
    const tracker = new DialogueStateTracker('u');
    tracker.updateWithEvents([
      slotSet('old', 1),
      actionExecuted('action_session_start'),
      sessionStarted(),
      slotSet('carried', 2),
      sessionStarted(),
    ]);
    expect(tracker.sessionStartIndexes()).toEqual([1, 4]);
    expect(tracker.slots).toEqual({});
    const latest = tracker.latestSession();
    expect(latest.eventOffset).toBe(4);
    expect(latest.eventCount).toBe(5);
  });

  it('tracks paused state and the active loop, legacy form events included', () => {
    const tracker = new DialogueStateTracker('u');
    tracker
      .update({ event: 'pause', timestamp: 1 })
      .update({ event: 'form', timestamp: 1, name: 'restaurant_form' });
    expect(tracker.paused).toBe(true);
    expect(tracker.activeLoop).toBe('restaurant_form');
    tracker
      .update({ event: 'resume', timestamp: 2 })
      .update({ event: 'active_loop', timestamp: 2, name: null });
    expect(tracker.paused).toBe(false);
    expect(tracker.activeLoop).toBeNull();
  });

  it('caps history at maxEventHistory while counting every event', () => {
    const tracker = new DialogueStateTracker('u', { maxEventHistory: 2 });
    for (let i = 0; i < 5; i++) tracker.update(slotSet('i', i));
    expect(tracker.events.map((e) => (e as { value: number }).value)).toEqual([3, 4]);
    expect(tracker.eventOffset).toBe(3);
    expect(tracker.eventCount).toBe(5);
  });

  it('needs a sender id', () => {
    expect(() => new DialogueStateTracker('')).toThrow(/non-empty sender id/);
  });
});
