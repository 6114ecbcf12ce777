import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readEventInput } from '../src/publish/read-event-input';
import { coreFixture, rasaTurnLines } from './helpers/wire';

describe('readEventInput', () => {
  it('keeps JSON lines byte for byte', () => {
    const lines = rasaTurnLines();
    const items = readEventInput(`${lines.join('\r\n')}\r\n\n`, { name: 'turn.jsonl' });
    expect(items.map((i) => i.body)).toEqual(lines);
    expect(items.map((i) => i.senderId)).toEqual(Array(8).fill('user-123'));
    expect(items[7]?.source).toBe('turn.jsonl:8');
  });

  it("writes a tracker dump's events in Rasa's wire format, sender_id first", () => {
    const text = readFileSync(coreFixture('rasa/trackers/tracker_moodbot.json'), 'utf8');
    const items = readEventInput(text, { name: 'tracker.json' });
    expect(items).toHaveLength(7);
    expect(items[0]).toEqual({
      senderId: 'mysender',
      body: '{"sender_id": "mysender", "event": "action", "timestamp": 1517821726.211031, "name": "action_listen", "policy": null, "confidence": null, "action_text": null, "hide_rule_turn": false}',
      source: 'tracker.json events[0]',
    });
    expect(readEventInput(text, { senderId: 'other' })[0]?.senderId).toBe('other');
  });

  it('reads an array of trackers and bodies, and a Rasa 1.0 tracker', () => {
    const v1 = JSON.parse(readFileSync(coreFixture('rasa/trackers/tracker_moodbot_rasa-1.0.json'), 'utf8'));
    const items = readEventInput(JSON.stringify([v1, { sender_id: 'x', event: 'restart', timestamp: 3 }]));
    expect(items).toHaveLength(8);
    expect(items[7]).toEqual({
      senderId: 'x',
      body: '{"sender_id": "x", "event": "restart", "timestamp": 3.0}',
      source: 'input[1]',
    });
  });

  it('names the line, the event and the field of bad input', () => {
    expect(() =>
      readEventInput('{"sender_id": "a", "event": "restart", "timestamp": 1}\nnope', { name: 'f' }),
    ).toThrowError('f:2: not JSON ("nope").');
    expect(() => readEventInput('{"event": "bot", "timestamp": 1}', { name: 'f' })).toThrowError(
      /^f:1: Invalid event message: sender_id must be a non-empty string/,
    );
    expect(() =>
      readEventInput('{"events": [{"event": "slot", "timestamp": 1}]}', { name: 't.json' }),
    ).toThrowError(/^t.json:1: the tracker dump has no sender_id; pass --sender-id/);
    expect(() =>
      readEventInput(
        '{"sender_id": "a", "events": [{"event": "restart", "timestamp": 1}, {"event": "slot", "timestamp": 1}]}',
        {
          name: 't.json',
        },
      ),
    ).toThrowError(/^t.json:1 events\[1\]: Invalid "slot" event: name must be/);
    expect(readEventInput('  \n')).toEqual([]);
  });
});
