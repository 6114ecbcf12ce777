import type { ConfigReader, Logger } from '@broker/core';
import type { Channel } from 'amqplib';
import { classifyAmqpError } from './connection/classify-amqp-error';
import { type KeyStyle, settingKey } from './connection/key-style';

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

export const DEFAULT_EXCHANGE = 'rasa-exchange';
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
export function readTopologySettings(
  reader: ConfigReader,
  style: KeyStyle,
  logger: Logger,
): TopologySettings {
  const keys = {
    exchangeName: settingKey('exchange_name', style),
    queues: settingKey('queues', style),
    queueArguments: settingKey('queue_arguments', style),
    passiveQueues: settingKey('passive_queues', style),
  };
  const legacyKey = settingKey('queue', style);
  const exchangeName = reader.string(keys.exchangeName, { nonEmpty: true }) ?? DEFAULT_EXCHANGE;
  checkName(reader, keys.exchangeName, exchangeName, 'exchange');

  let queues = reader.stringList(keys.queues) ?? [];
  const legacy = reader.string(legacyKey, { nonEmpty: true });
  if (legacy !== undefined) {
    if (queues.length > 0) {
      logger.warn(
        { key: reader.keyName(legacyKey) },
        `${reader.keyName(legacyKey)} is deprecated and ignored because ${reader.keyName(keys.queues)} is also set; remove it`,
      );
    } else {
      logger.warn(
        { key: reader.keyName(legacyKey), queue: legacy },
        `${reader.keyName(legacyKey)} is deprecated (Rasa 1.x); publishing to the queue it names, as it says. ` +
          `Rasa 2 and later ignore it and use rasa_core_events: rename it to ${reader.keyName(keys.queues)}: [${legacy}]`,
      );
      queues = [legacy];
    }
  }
  if (queues.length === 0) {
    queues = [DEFAULT_QUEUE];
    if (style === 'yaml') {
      logger.warn(
        { key: reader.keyName(keys.queues) },
        `${reader.keyName(keys.queues)} is not set; publishing to the default queue ${DEFAULT_QUEUE}, as Rasa does`,
      );
    }
  }
  queues = [...new Set(queues)];
  for (const queue of queues) checkName(reader, keys.queues, queue, 'queue');

  return {
    exchangeName,
    queues,
    queueArguments: readQueueArguments(reader, keys.queueArguments),
    passiveQueues: reader.boolean(keys.passiveQueues) ?? false,
    keys: {
      exchangeName: reader.keyName(keys.exchangeName),
      queues: reader.keyName(keys.queues),
      queueArguments: reader.keyName(keys.queueArguments),
      passiveQueues: reader.keyName(keys.passiveQueues),
    },
  };
}

function checkName(reader: ConfigReader, key: string, name: string, what: string): void {
  if (Buffer.byteLength(name) > 255) throw reader.error(key, `the ${what} name is longer than 255 bytes.`);
  if (name.startsWith('amq.')) {
    throw reader.error(
      key,
      `the ${what} name ${JSON.stringify(name)} starts with "amq.", which RabbitMQ reserves.`,
    );
  }
}

function readQueueArguments(
  reader: ConfigReader,
  key: string,
): Record<string, string | number | boolean> | undefined {
  const raw = reader.object(key);
  if (raw === undefined) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (INTEGER_ARGUMENTS.has(name)) {
      const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isInteger(number)) {
        throw reader.error(key, `argument ${name} must be an integer, got ${JSON.stringify(value)}.`);
      }
      out[name] = number;
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[name] = value;
    } else {
      throw reader.error(
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
