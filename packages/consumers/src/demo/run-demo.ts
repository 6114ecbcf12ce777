import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEventBroker,
  type EndpointConfig,
  type EventBroker,
  type EventMessage,
  FileEventBroker,
  followEventFile,
  InMemoryEventBroker,
  InMemoryTrackerStore,
  type Logger,
  loadEndpoints,
  toEndpointConfig,
} from '@broker/core';
import { formatTranscriptLine } from '../sinks/transcript';
import { moodbotScript } from './moodbot-script';

export interface DemoOptions {
  /** An endpoints.yml whose event_broker the demo streams through; default a file broker in a temp folder. */
  endpoints?: string;
  /** Where transcript lines go. */
  write: (line: string) => void;
  color?: boolean;
  /** Pause between turns, in ms, so the stream is visible as it happens. */
  turnDelayMs?: number;
  logger?: Logger;
}

export interface DemoResult {
  published: number;
  consumed: number;
  brokerType: string;
}

/** A reader of what the demo's broker carries, started before anything is published. */
interface DemoReader {
  next(): Promise<EventMessage>;
  stop(): void;
}

function defaultEndpoint(): EndpointConfig {
  const path = join(mkdtempSync(join(tmpdir(), 'broker-demo-')), 'rasa_event.log');
  return toEndpointConfig({ type: 'file', path });
}

function readerFor(broker: EventBroker): DemoReader {
  const queue: EventMessage[] = [];
  let wake: (() => void) | undefined;
  const push = (message: EventMessage) => {
    queue.push(message);
    wake?.();
  };
  const controller = new AbortController();
  if (broker instanceof FileEventBroker) {
    void (async () => {
      for await (const line of followEventFile(broker.path, {
        signal: controller.signal,
        pollIntervalMs: 20,
      })) {
        if (line.ok) push(line.message);
      }
    })();
  } else if (broker instanceof InMemoryEventBroker) {
    broker.subscribe(push);
  } else {
    throw new Error(
      `The demo reads back file and memory brokers; for ${broker.constructor.name} use \`broker consume\` in a second terminal.`,
    );
  }
  return {
    next: async () => {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return queue.shift()!;
    },
    stop: () => controller.abort(),
  };
}

/**
 * The main job, runnable with no broker installed: a scripted moodbot conversation goes
 * through an InMemoryTrackerStore whose broker comes from endpoints.yml (default: the file
 * broker), and a consumer prints the events as a transcript as they arrive.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const endpoint = options.endpoints ? loadEndpoints(options.endpoints).eventBroker : defaultEndpoint();
  if (!endpoint)
    throw new Error(`${options.endpoints} has no event_broker section: there is nothing to stream to.`);
  const broker = await createEventBroker(endpoint, options.logger ? { logger: options.logger } : {});
  if (!broker) throw new Error('The endpoints file configures no event broker.');
  const where = broker instanceof FileEventBroker ? ` (${broker.path})` : '';
  options.write(`Streaming a moodbot conversation through the ${endpoint.type ?? 'pika'} broker${where}:\n`);

  const reader = readerFor(broker);
  const store = new InMemoryTrackerStore({
    eventBroker: broker,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  let published = 0;
  let consumed = 0;
  try {
    for (const turn of moodbotScript()) {
      const tracker = await store.getOrCreateTracker(turn.senderId, { appendActionListen: false });
      tracker.updateWithEvents(turn.events);
      await store.save(tracker);
      published += turn.events.length;
      await broker.flush(10_000);
      while (consumed < published) {
        options.write(formatTranscriptLine(await reader.next(), { color: options.color ?? false }));
        consumed++;
      }
      if (options.turnDelayMs) await new Promise((resolve) => setTimeout(resolve, options.turnDelayMs));
    }
  } finally {
    reader.stop();
    const report = await broker.close({ timeout: 10_000 });
    const stats = report.stats;
    options.write(
      `\n${published} events published, ${stats.confirmed} confirmed by the broker, ${consumed} consumed, ` +
        `${report.undelivered.length} undelivered.`,
    );
  }
  return { published, consumed, brokerType: endpoint.type ?? 'pika' };
}
