import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  createEventBroker,
  createMessageSource,
  type EndpointConfig,
  type EventBroker,
  type EventMessage,
  FileEventBroker,
  followEventFile,
  InMemoryEventBroker,
  InMemoryTrackerStore,
  type Logger,
  loadEndpoints,
  parseEventMessage,
  TimeoutError,
  toEndpointConfig,
} from '@broker/core';
import { importAdapter } from '../adapter-loader';
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

/** A reader of what the demo's broker carries. */
interface DemoReader {
  next(): Promise<EventMessage>;
  stop(): Promise<void>;
}

const READ_BACK_TIMEOUT_MS = 30_000;

/** The embedded default: a file broker in a temporary folder that the demo removes when it ends. */
function defaultEndpoint(): { endpoint: EndpointConfig; removeFolder: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'broker-demo-'));
  return {
    endpoint: toEndpointConfig({ type: 'file', path: join(folder, 'rasa_event.log') }),
    removeFolder: () => rmSync(folder, { recursive: true, force: true }),
  };
}

function messageQueue() {
  const queue: EventMessage[] = [];
  let wake: (() => void) | undefined;
  return {
    push(message: EventMessage) {
      queue.push(message);
      wake?.();
    },
    async next(): Promise<EventMessage> {
      const deadline = Date.now() + READ_BACK_TIMEOUT_MS;
      while (queue.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new TimeoutError(
            `The demo published events but could not read them back within ${READ_BACK_TIMEOUT_MS / 1000} s.`,
            1,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return queue.shift()!;
    },
  };
}

/** File and memory brokers are read directly, before anything is published. */
function localReader(broker: EventBroker): DemoReader | undefined {
  const messages = messageQueue();
  const controller = new AbortController();
  if (broker instanceof FileEventBroker) {
    void (async () => {
      for await (const line of followEventFile(broker.path, {
        signal: controller.signal,
        pollIntervalMs: 20,
      })) {
        if (line.ok) messages.push(line.message);
      }
    })();
  } else if (broker instanceof InMemoryEventBroker) {
    broker.subscribe(messages.push);
  } else {
    return undefined;
  }
  return { next: messages.next, stop: async () => controller.abort() };
}

/**
 * RabbitMQ and Kafka are read back through the same message source `broker consume` uses.
 * Only this run's conversations (their ids end in `suffix`) are acknowledged; anything else
 * on the queue is left there for its real consumer.
 */
async function sourceReader(
  endpoint: EndpointConfig,
  suffix: string,
  logger: Logger | undefined,
): Promise<DemoReader> {
  const source = await createMessageSource(endpoint, {
    importModule: importAdapter,
    fromBeginning: true,
    groupId: `broker-demo${suffix}`,
    ...(logger ? { logger } : {}),
  });
  const messages = messageQueue();
  const controller = new AbortController();
  let failure: unknown;
  const consuming = source
    .consume(
      (message) => {
        let parsed: EventMessage;
        try {
          parsed = parseEventMessage(message.body);
        } catch {
          return;
        }
        if (!parsed.senderId.endsWith(suffix)) return;
        messages.push(parsed);
        void message.settle({ outcome: 'ack' });
      },
      { maxInFlight: 1000, signal: controller.signal },
    )
    .catch((error: unknown) => {
      failure = error;
    });
  return {
    next: async () => {
      if (failure) throw failure;
      return messages.next();
    },
    stop: async () => {
      controller.abort();
      await source.close();
      await consuming;
    },
  };
}

/**
 * The main job, runnable with no broker installed: a scripted moodbot conversation goes
 * through an InMemoryTrackerStore whose broker comes from endpoints.yml (default: the file
 * broker), and a consumer prints the events as a transcript as they arrive.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const embedded = options.endpoints ? undefined : defaultEndpoint();
  try {
    return await streamThrough(embedded?.endpoint ?? loadEndpoints(options.endpoints!).eventBroker, options);
  } finally {
    embedded?.removeFolder();
  }
}

async function streamThrough(endpoint: EndpointConfig | null, options: DemoOptions): Promise<DemoResult> {
  if (!endpoint) {
    throw new ConfigError(
      `${options.endpoints} has no event_broker section: there is nothing to stream to.`,
      {
        key: 'event_broker',
        file: options.endpoints,
      },
    );
  }
  const broker = await createEventBroker(endpoint, {
    importModule: importAdapter,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  if (!broker)
    throw new ConfigError('The endpoints file configures no event broker.', { key: 'event_broker' });
  const where = broker instanceof FileEventBroker ? ` (${broker.path})` : '';
  options.write(`Streaming a moodbot conversation through the ${endpoint.type ?? 'pika'} broker${where}:\n`);

  // Conversations of a run through a real broker get their own ids, so the demo reads back only its own events.
  const local = localReader(broker);
  const suffix = local ? '' : `-${randomBytes(2).toString('hex')}`;
  let reader = local;
  const store = new InMemoryTrackerStore({
    eventBroker: broker,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  let published = 0;
  let consumed = 0;
  try {
    for (const turn of moodbotScript()) {
      const tracker = await store.getOrCreateTracker(`${turn.senderId}${suffix}`, {
        appendActionListen: false,
      });
      tracker.updateWithEvents(turn.events);
      await store.save(tracker);
      published += turn.events.length;
      await broker.flush(10_000);
      // A broker has declared its queue or topic once the first events are confirmed.
      reader ??= await sourceReader(endpoint, suffix, options.logger);
      while (consumed < published) {
        options.write(formatTranscriptLine(await reader.next(), { color: options.color ?? false }));
        consumed++;
      }
      if (options.turnDelayMs) await new Promise((resolve) => setTimeout(resolve, options.turnDelayMs));
    }
  } finally {
    await reader?.stop();
    const report = await broker.close({ timeout: 10_000 });
    const stats = report.stats;
    options.write(
      `\n${published} events published, ${stats.confirmed} confirmed by the broker, ${consumed} consumed, ` +
        `${report.undelivered.length} undelivered.`,
    );
  }
  return { published, consumed, brokerType: endpoint.type ?? 'pika' };
}
