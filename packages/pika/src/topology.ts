import type { Channel } from 'amqplib';
import { classifyAmqpError } from './connection/classify-amqp-error';
import type { PikaSettingsReader } from './pika-settings';

/** The exchange and queues Rasa's pika broker publishes through. */
export interface TopologySettings {
  exchangeName: string;
  queues: string[];
  /** `x-queue-type`, `x-max-length`, ...: sent with every queue declaration. */
  queueArguments: Record<string, string | number | boolean> | undefined;
  /** Check that the queues exist instead of declaring them (operators declare them). */
  passiveQueues: boolean;
  /** The settings' names as the user wrote them, for error messages. */
  keys: { exchangeName: string; queues: string; queueArguments: string; passiveQueues: string };
}

export const DEFAULT_QUEUE = 'rasa_core_events';

/** Arguments RabbitMQ wants as integers; endpoints.yml `${VAR}` values arrive as strings. */
const INTEGER_ARGUMENTS = new Set([
  'x-max-length',
  'x-max-length-bytes',
  'x-message-ttl',
  'x-expires',
  'x-max-priority',
  'x-delivery-limit',
  'x-quorum-initial-group-size',
  'x-quorum-target-group-size',
  'x-stream-max-segment-size-bytes',
]);

/**
 * Reads `exchange_name`, `queues` (a list or one string; default `rasa_core_events`), the
 * legacy `queue` key (Rasa 1.x; Rasa 2+ silently ignores it, we honour it with a warning),
 * `queue_arguments` and `passive_queues`.
 */
export function readTopologySettings(settings: PikaSettingsReader): TopologySettings {
  const { logger } = settings;
  const exchangeName = settings.get('exchangeName');
  checkName(settings, 'exchangeName', exchangeName, 'exchange');

  let queues = settings.get('queues') ?? [];
  const legacy = settings.get('queue');
  const [legacyKey, queuesKey] = [settings.keyName('queue'), settings.keyName('queues')];
  if (legacy !== undefined) {
    if (queues.length > 0) {
      logger.warn(
        { key: legacyKey },
        `${legacyKey} is deprecated and ignored because ${queuesKey} is also set; remove it`,
      );
    } else {
      logger.warn(
        { key: legacyKey, queue: legacy },
        `${legacyKey} is deprecated (Rasa 1.x); publishing to the queue it names, as it says. ` +
          `Rasa 2 and later ignore it and use rasa_core_events: rename it to ${queuesKey}: [${legacy}]`,
      );
      queues = [legacy];
    }
  }
  if (queues.length === 0) {
    queues = [DEFAULT_QUEUE];
    if (settings.style === 'yaml') {
      logger.warn(
        { key: queuesKey },
        `${queuesKey} is not set; publishing to the default queue ${DEFAULT_QUEUE}, as Rasa does`,
      );
    }
  }
  queues = [...new Set(queues)];
  for (const queue of queues) checkName(settings, 'queues', queue, 'queue');

  return {
    exchangeName,
    queues,
    queueArguments: readQueueArguments(settings),
    passiveQueues: settings.get('passiveQueues'),
    keys: {
      exchangeName: settings.keyName('exchangeName'),
      queues: queuesKey,
      queueArguments: settings.keyName('queueArguments'),
      passiveQueues: settings.keyName('passiveQueues'),
    },
  };
}

function checkName(
  settings: PikaSettingsReader,
  key: 'exchangeName' | 'queues',
  name: string,
  what: string,
): void {
  if (Buffer.byteLength(name) > 255) throw settings.error(key, `the ${what} name is longer than 255 bytes.`);
  if (name.startsWith('amq.')) {
    throw settings.error(
      key,
      `the ${what} name ${JSON.stringify(name)} starts with "amq.", which RabbitMQ reserves.`,
    );
  }
}

function readQueueArguments(
  settings: PikaSettingsReader,
): Record<string, string | number | boolean> | undefined {
  const key = 'queueArguments';
  const raw = settings.get(key);
  if (raw === undefined) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (INTEGER_ARGUMENTS.has(name)) {
      const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isInteger(number)) {
        throw settings.error(key, `argument ${name} must be an integer, got ${JSON.stringify(value)}.`);
      }
      out[name] = number;
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[name] = value;
    } else {
      throw settings.error(
        key,
        `argument ${name} must be a string, number or boolean, got ${value === null ? 'null' : typeof value}.`,
      );
    }
  }
  return out;
}

/**
 * Declares the fanout exchange with Rasa's flags (aio-pika's defaults: durable=false,
 * auto_delete=false, so a Rasa server and this broker can share it), each queue durable
 * (or only checked, when passive) and bound with routing key "".
 */
export async function declareTopology(
  channel: Channel,
  topology: TopologySettings,
  display: string,
): Promise<void> {
  // One at a time: a refused declaration closes the channel, and only the refused step carries
  // RabbitMQ's reason (the queued ones just hear "channel ended").
  const step = async (run: () => Promise<unknown>, topologyKey: string) => {
    try {
      await run();
    } catch (error) {
      throw classifyAmqpError(error, { display, topologyKey });
    }
  };
  await step(
    () => channel.assertExchange(topology.exchangeName, 'fanout', { durable: false, autoDelete: false }),
    topology.keys.exchangeName,
  );
  for (const queue of topology.queues) {
    if (topology.passiveQueues) {
      await step(() => channel.checkQueue(queue), `${topology.keys.passiveQueues} (queue ${queue})`);
    } else {
      await step(
        () =>
          channel.assertQueue(queue, {
            durable: true,
            ...(topology.queueArguments ? { arguments: topology.queueArguments } : {}),
          }),
        `${topology.keys.queues} / ${topology.keys.queueArguments} (queue ${queue})`,
      );
    }
    await step(() => channel.bindQueue(queue, topology.exchangeName, ''), topology.keys.queues);
  }
}
