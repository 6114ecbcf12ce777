import { InMemoryEventBroker } from '@broker/core';
import { describe, expect, it } from 'vitest';
import { ExportInterruptedError, exportBody, exportEvents } from '../src/export/export-events';
import { trackerDumpEvents } from '../src/export/tracker-dump-events';
import { coreFixture } from './helpers/wire';

const stored = (senderId: string, timestamp: number) => ({
  senderId,
  timestamp,
  body: JSON.stringify({ sender_id: senderId, event: 'slot', timestamp, name: 'city', value: 'Berlin' }),
});

describe('exportEvents', () => {
  it('publishes with one rasa-export-process-id per run and sender_id last, offsetting timestamps', async () => {
    const broker = new InMemoryEventBroker();
    const report = await exportEvents(broker, {
      events: [stored('a', 10), stored('b', 11), stored('a', 12)],
      offsetTimestampsBySeconds: 100,
      chunkSize: 2,
    });
    expect(report).toMatchObject({ published: 3, conversations: 2 });
    expect(report.processId).toMatch(/^[0-9a-f]{32}$/);
    const messages = broker.messages;
    expect(messages.map((m) => m.headers)).toEqual(
      Array(3).fill({ 'rasa-export-process-id': report.processId }),
    );
    expect(messages[0]?.body).toBe(
      '{"event": "slot", "timestamp": 110.0, "name": "city", "value": "Berlin", "sender_id": "a"}',
    );
  });

  it('stops with the resume position: the first event not confirmed', async () => {
    const broker = new InMemoryEventBroker();
    let published = 0;
    const original = broker.publish.bind(broker);
    broker.publish = (body, options) => {
      if (++published > 2) throw new Error('broker went away');
      original(body, options);
    };
    const error = await exportEvents(broker, {
      events: [stored('a', 10), stored('a', 11), stored('a', 12), stored('a', 13)],
      chunkSize: 2,
      processId: 'p',
    }).catch((e: unknown) => e);
    expect(ExportInterruptedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      resumeFromTimestamp: 12,
      published: 2,
      processId: 'p',
      interrupted: false,
    });
  });

  it('stops at a chunk boundary when aborted', async () => {
    const controller = new AbortController();
    const broker = new InMemoryEventBroker();
    const error = await exportEvents(broker, {
      events: [stored('a', 1), stored('a', 2), stored('a', 3)],
      chunkSize: 1,
      signal: controller.signal,
      onProgress: (n) => n === 1 && controller.abort(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ resumeFromTimestamp: 2, published: 1, interrupted: true });
  });

  it('exportBody keeps every field and moves sender_id to the end', () => {
    const body =
      '{"sender_id": "u", "event": "user", "timestamp": 1.5, "metadata": {"a": 1}, "text": "hi", "input_channel": "rest"}';
    expect(exportBody({ senderId: 'u', timestamp: 1.5, body })).toBe(
      '{"event": "user", "timestamp": 1.5, "metadata": {"a": 1}, "text": "hi", "input_channel": "rest", "sender_id": "u"}',
    );
  });
});

describe('trackerDumpEvents', () => {
  it('filters as rasa export does (minimum <= timestamp < maximum, conversation ids) and sorts by timestamp', () => {
    const path = coreFixture('rasa/trackers/tracker_moodbot.json');
    const all = trackerDumpEvents(path);
    expect(all).toHaveLength(7);
    const timestamps = all.map((e) => e.timestamp as number);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    const some = trackerDumpEvents(path, {
      minimumTimestamp: timestamps[2],
      maximumTimestamp: timestamps[5],
    });
    expect(some.map((e) => e.timestamp)).toEqual(timestamps.slice(2, 5));
    expect(trackerDumpEvents(path, { conversationIds: ['nobody'] })).toEqual([]);
    expect(() => trackerDumpEvents('/nope.json')).toThrowError(/Cannot read the tracker dump \/nope.json/);
  });
});
