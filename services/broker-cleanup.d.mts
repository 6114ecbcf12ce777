// Types for services/broker-cleanup.mjs.

/**
 * Deletes RabbitMQ queues (each with its `<queue>.dead-letter` queue) and exchanges, one channel
 * each; missing ones are fine. Never rejects: resolves with what could not be removed.
 */
export function removeRabbitResources(
  url: string,
  resources: { queues?: readonly string[]; exchanges?: readonly string[] },
): Promise<string[]>;

/**
 * Deletes the Kafka topics (each with its `<topic>.dead-letter` topic) that exist, waiting up to
 * `timeoutMs` (default 30 s) for the deletion, and the consumer groups. Never rejects: resolves
 * with what could not be removed.
 */
export function removeKafkaResources(
  brokers: string[],
  resources: { topics?: readonly string[]; groups?: readonly string[]; timeoutMs?: number },
): Promise<string[]>;
