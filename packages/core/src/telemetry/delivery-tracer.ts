import type {
  DeliveryObserver,
  OutboundMessage,
  SettleOutcome,
  SettleReason,
} from '../broker/outbound-queue';
import { type DeliverContext, deliverChannel, type MessagingTarget } from './channels';

/** What a broker tells its delivery tracer: where it sends, and the per-event details it knows once an event is settled. */
export interface DeliveryDescriber {
  readonly brokerName: string;
  target(): MessagingTarget;
  /** Adds transport details (Kafka key and partition) to a context about to be settled. */
  describe(message: OutboundMessage, context: DeliverContext): void;
}

/**
 * Publishes the `broker:deliver` trace of each accepted event: `start` at its first send,
 * `error` and `asyncEnd` when it is settled. Builds nothing while nobody subscribes.
 */
export class DeliveryTracer implements DeliveryObserver {
  constructor(private readonly broker: DeliveryDescriber) {}

  sent(message: OutboundMessage): void {
    if (!deliverChannel.hasSubscribers) return;
    message.deliverContext = this.start(message);
  }

  settled(message: OutboundMessage, outcome: SettleOutcome, reason: SettleReason | undefined): void {
    let context = message.deliverContext;
    if (context === undefined) {
      // Never sent while someone listened (dropped from the buffer, failed while waiting): its trace starts now.
      if (!deliverChannel.hasSubscribers) return;
      context = this.start(message);
    }
    message.deliverContext = undefined;
    context.attempts = message.attempts;
    context.outcome = outcome;
    this.broker.describe(message, context);
    if (outcome !== 'confirmed') {
      context.error = typeof reason === 'function' ? reason() : reason;
      deliverChannel.error.publish(context);
    }
    deliverChannel.asyncEnd.publish(context);
  }

  private start(message: OutboundMessage): DeliverContext {
    const target = this.broker.target();
    // A literal with every field: spreading the target or adding fields later costs microseconds per event.
    const context: DeliverContext = {
      system: target.system,
      destination: target.destination,
      serverAddress: target.serverAddress,
      serverPort: target.serverPort,
      broker: this.broker.brokerName,
      senderId: message.senderId,
      bodySize: message.size,
      publish: message.publishContext,
      routingKey: undefined,
      messageKey: undefined,
      partition: undefined,
      attempts: message.attempts,
      outcome: undefined,
      error: undefined,
    };
    deliverChannel.start.publish(context);
    return context;
  }
}
