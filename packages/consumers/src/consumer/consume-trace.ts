import {
  type ConsumeContext,
  type ConsumeResult,
  connectionChannel,
  consumeChannel,
  consumeRetryChannel,
  type MessageSource,
  messagingSystem,
  type Settlement,
  type SourceMessage,
} from '@broker/core';

/**
 * The `broker:consume` trace of one message, from its receipt: undefined when nobody subscribed
 * then (nothing is built). Every function below does nothing for an undefined context.
 */
export function startConsumeTrace(source: MessageSource, message: SourceMessage): ConsumeContext | undefined {
  if (!consumeChannel.hasSubscribers) return undefined;
  const meta = message.meta;
  const context: ConsumeContext = {
    system: messagingSystem(source.name),
    source: source.name,
    destination: text(meta.topic) ?? text(meta.exchange),
    queue: text(meta.queue),
    routingKey: text(meta.routingKey) || undefined,
    group: text(meta.groupId),
    partition: typeof meta.partition === 'number' ? meta.partition : undefined,
    offset: text(meta.offset),
    messageKey: message.key,
    messageId: message.messageId,
    bodySize: message.body.length,
    position: message.position,
    headers: message.headers,
    // Every field up front: adding fields later costs microseconds per message.
    senderId: undefined,
    eventType: undefined,
    retries: 0,
    result: undefined,
    settlement: undefined,
    error: undefined,
  };
  // Receiving is synchronous: `end` follows at once; handling and settling are the async part.
  consumeChannel.start.publish(context);
  consumeChannel.end.publish(context);
  return context;
}

/** Handling is over: `result` says how; a failure that dead-letters the message is published on `error` first. */
export function consumeHandled(
  context: ConsumeContext | undefined,
  result: ConsumeResult,
  error?: unknown,
): void {
  if (!context) return;
  context.result = result;
  if (error !== undefined) {
    context.error = error;
    consumeChannel.error.publish(context);
  }
  consumeChannel.asyncStart.publish(context);
}

/** The message is settled (or, without a settlement, left to the broker): the trace ends. */
export function consumeSettled(
  context: ConsumeContext | undefined,
  settlement: Settlement | undefined,
): void {
  if (!context) return;
  context.settlement = settlement?.outcome;
  consumeChannel.asyncEnd.publish(context);
}

/** A failed attempt will be retried after `delayMs`. */
export function consumeRetrying(
  context: ConsumeContext | undefined,
  error: unknown,
  attempt: number,
  delayMs: number,
): void {
  if (!context) return;
  context.retries = attempt;
  if (consumeRetryChannel.hasSubscribers) consumeRetryChannel.publish({ context, error, attempt, delayMs });
}

/** A consumer paused for an outage of what its handler or sink needs, or resumed. */
export function consumerStateChanged(
  source: MessageSource,
  state: 'paused' | 'running',
  what: string,
  error?: unknown,
): void {
  if (!connectionChannel.hasSubscribers) return;
  connectionChannel.publish({
    role: 'consumer',
    system: messagingSystem(source.name),
    name: source.name,
    state,
    previous: state === 'paused' ? 'running' : 'paused',
    what,
    error,
  });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
