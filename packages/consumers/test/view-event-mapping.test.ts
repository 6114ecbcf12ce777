import { readFileSync } from 'node:fs';
import { KNOWN_EVENT_TYPES, type ParsedEvent, parseEvent } from '@broker/core';
import { SAMPLE_EVENTS } from '@broker/core/testing';
import { describe, expect, it } from 'vitest';
import { httpUrl, toViewItem } from '../src/view/event-view';
import type { ViewItem } from '../src/view/view-model';
import { coreFixture } from './helpers/wire';

const view = (event: Record<string, unknown>, seq = 1): ViewItem => {
  const raw = JSON.stringify({ sender_id: 'u', ...event });
  return toViewItem(parseEvent(event as Record<string, unknown>), raw, seq);
};
const sample = (type: string): ParsedEvent => {
  const event = SAMPLE_EVENTS.find((e) => e.event === type);
  if (!event) throw new Error(`no sample ${type}`);
  return event;
};

describe('event → view model', () => {
  it('maps every Rasa 3.x sample event to a kind other than unknown, with its type, timestamp and raw body', () => {
    const kinds = new Map<string, string>();
    for (const event of SAMPLE_EVENTS) {
      const raw = JSON.stringify({ sender_id: 'u', ...event });
      const item = toViewItem(event, raw, 7);
      expect(item).toMatchObject({ seq: 7, type: event.event, timestamp: event.timestamp, raw });
      kinds.set(event.event, item.kind);
    }
    // Every known type but the two legacy inputs is in the samples, none is shown as unknown.
    expect([...kinds.keys()].sort()).toEqual(
      KNOWN_EVENT_TYPES.filter((t) => t !== 'form' && t !== 'form_validation').sort(),
    );
    expect([...kinds.entries()].filter(([, kind]) => kind === 'unknown')).toEqual([]);
  });

  it('user: text, intent with confidence, entities, channel', () => {
    expect(toViewItem(sample('user'), '{}', 1)).toMatchObject({
      kind: 'user',
      text: 'I want to fly to Berlin',
      intent: { name: 'book_flight', confidence: 0.9871 },
      entities: [
        {
          entity: 'city',
          value: 'Berlin',
          confidence: 0.9982,
          extractor: 'DIETClassifier',
          role: null,
          group: null,
        },
      ],
      channel: 'rest',
    });
    const item = view({
      event: 'user',
      timestamp: 1,
      text: null,
      parse_data: {
        entities: [
          { entity: 'when', value: { from: '2024-05-27', to: null }, role: 'departure', group: '1' },
        ],
      },
    });
    expect(item).toMatchObject({ kind: 'user', text: null, intent: null, channel: null });
    expect(item.kind === 'user' && item.entities[0]).toEqual({
      entity: 'when',
      value: '{"from":"2024-05-27","to":null}',
      confidence: null,
      extractor: null,
      role: 'departure',
      group: '1',
    });
  });

  it('bot: text, buttons and quick replies, images and attachments as http(s) links only, other content as JSON', () => {
    expect(toViewItem(sample('bot'), '{}', 1)).toMatchObject({
      kind: 'bot',
      buttons: [],
      links: [],
      extra: null,
    });
    const item = view({
      event: 'bot',
      timestamp: 1,
      text: 'Pick one',
      data: {
        buttons: [
          { title: 'Yes', payload: '/affirm' },
          { title: 'Docs', url: 'https://rasa.com/docs', payload: '/docs' },
        ],
        quick_replies: [
          { title: 'No', payload: '/deny' },
          { title: 'Evil', url: 'javascript:alert(1)' },
        ],
        image: 'https://example.com/cat.png',
        attachment: 'javascript:alert(1)',
        custom: { card: [1, 2] },
      },
    });
    expect(item).toEqual({
      seq: 1,
      type: 'bot',
      timestamp: 1,
      raw: expect.any(String),
      kind: 'bot',
      text: 'Pick one',
      buttons: [
        { title: 'Yes', payload: '/affirm', url: null },
        { title: 'Docs', payload: '/docs', url: 'https://rasa.com/docs' },
        { title: 'No', payload: '/deny', url: null },
        { title: 'Evil', payload: null, url: null },
      ],
      links: [{ label: 'image', href: 'https://example.com/cat.png' }],
      extra: JSON.stringify({ attachment: 'javascript:alert(1)', custom: { card: [1, 2] } }),
    });
  });

  it('actions with policy and confidence, rejected actions, slots, loops, sessions', () => {
    expect(toViewItem(sample('action'), '{}', 1)).toMatchObject({
      kind: 'action',
      name: 'utter_ask_date',
      policy: 'RulePolicy',
      confidence: 1,
      rejected: false,
    });
    expect(toViewItem(sample('action_execution_rejected'), '{}', 1)).toMatchObject({
      kind: 'action',
      name: 'flight_form',
      rejected: true,
    });
    expect(view({ event: 'action', timestamp: 1, name: null, action_text: 'hi' })).toMatchObject({
      name: '(end-to-end text)',
    });
    expect(toViewItem(sample('slot'), '{}', 1)).toMatchObject({
      kind: 'slot',
      name: 'city',
      value: 'Berlin',
    });
    expect(view({ event: 'slot', timestamp: 1, name: 'dates', value: ['a', 2] })).toMatchObject({
      value: '["a",2]',
    });
    expect(view({ event: 'slot', timestamp: 1, name: 'empty', value: null })).toMatchObject({
      value: 'null',
    });
    expect(toViewItem(sample('active_loop'), '{}', 1)).toMatchObject({ kind: 'loop', name: 'flight_form' });
    expect(view({ event: 'active_loop', timestamp: 1, name: null })).toMatchObject({
      kind: 'loop',
      name: null,
    });
    expect(toViewItem(sample('session_started'), '{}', 1)).toMatchObject({ kind: 'session' });
    expect(toViewItem(sample('agent'), '{}', 1)).toMatchObject({
      kind: 'agent',
      text: 'A human agent replied',
    });
    expect(toViewItem(sample('entities'), '{}', 1)).toMatchObject({
      kind: 'entities',
      entities: [{ entity: 'city', value: 'Berlin' }],
    });
  });

  it('restart, undo, rewind, reminders and the other markers are lines of text', () => {
    const labels = Object.fromEntries(
      [
        'restart',
        'undo',
        'rewind',
        'reset_slots',
        'pause',
        'resume',
        'reminder',
        'cancel_reminder',
        'followup',
        'export',
        'user_featurization',
        'loop_interrupted',
      ].map((type) => {
        const item = toViewItem(sample(type), '{}', 1);
        return [type, item.kind === 'marker' ? item.label : `not a marker: ${item.kind}`];
      }),
    );
    expect(labels).toEqual({
      restart: 'Conversation restarted',
      undo: 'Last action undone',
      rewind: 'User message reverted (rewind)',
      reset_slots: 'All slots reset',
      pause: 'Conversation paused',
      resume: 'Conversation resumed',
      reminder: 'Reminder scheduled my_reminder: intent remind_me at 2024-05-27T12:00:00+00:00',
      cancel_reminder: 'Reminder cancelled',
      followup: 'Follow-up action: action_check_weather',
      export: 'Story exported',
      user_featurization: 'Previous user message featurized by intent',
      loop_interrupted: 'Loop interrupted',
    });
  });

  it('Rasa 1.x: the moodbot tracker, and the legacy form and form_validation events', () => {
    const tracker = JSON.parse(
      readFileSync(coreFixture('rasa/trackers/tracker_moodbot_rasa-1.0.json'), 'utf8'),
    ) as {
      events: Record<string, unknown>[];
    };
    const items = tracker.events.map((event, i) => view(event, i + 1));
    expect(items.map((item) => item.kind)).not.toContain('unknown');
    expect(items[1]).toMatchObject({
      kind: 'user',
      text: '/greet',
      intent: { name: 'greet', confidence: 0.54 },
      entities: [],
      channel: null,
    });
    expect(items[0]).toMatchObject({ kind: 'action', name: 'action_listen', policy: null, confidence: null });
    expect(view({ event: 'form', timestamp: 1, name: 'restaurant_form' })).toMatchObject({
      kind: 'loop',
      name: 'restaurant_form',
    });
    expect(view({ event: 'form', timestamp: 1, name: null })).toMatchObject({ kind: 'loop', name: null });
    expect(view({ event: 'form_validation', timestamp: 1, validate: false })).toMatchObject({
      kind: 'marker',
      label: 'Form validation off (loop interrupted)',
    });
  });

  it('unknown event types are shown raw, whatever their name', () => {
    for (const type of ['rasa_pro_flow_started', '__proto__', 'constructor', 'toString']) {
      expect(view({ event: type, timestamp: 1, anything: '<b>x</b>' })).toMatchObject({
        kind: 'unknown',
        type,
      });
    }
  });

  it('httpUrl: absolute http(s) addresses only', () => {
    expect(httpUrl('https://example.com/a b')).toBe('https://example.com/a%20b');
    for (const bad of [
      'javascript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>',
      '//evil.example',
      '/relative',
      'vbscript:x',
      42,
    ]) {
      expect(httpUrl(bad)).toBeNull();
    }
  });
});
