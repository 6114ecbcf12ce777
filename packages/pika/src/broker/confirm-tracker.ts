import type { OutboundMessage } from '@broker/core';

/** Why RabbitMQ handed a mandatory message back (basic.return). */
export interface ReturnReason {
  replyCode: number;
  replyText: string;
}

/**
 * The publishes of one confirm channel awaiting their ack or nack, by delivery tag (1, 2, ...
 * in publish order). Acks may confirm one tag or every tag up to one (`multiple`), and may
 * arrive out of order; a basic.return for a message arrives before its ack.
 */
export class ConfirmTracker {
  private slots: (OutboundMessage | undefined)[] = [];
  private head = 0;
  /** Delivery tag of `slots[head]`. */
  private headTag = 1;
  private outstanding = 0;
  private returns: Map<OutboundMessage, ReturnReason> | undefined;

  get size(): number {
    return this.outstanding;
  }

  /** Records a publish; its delivery tag is the next one. */
  add(message: OutboundMessage): void {
    this.slots.push(message);
    this.outstanding++;
  }

  /** The messages an ack or nack settles, in publish order. */
  settle(deliveryTag: number, multiple: boolean): OutboundMessage[] {
    const settled: OutboundMessage[] = [];
    const last = Math.min(this.head + (deliveryTag - this.headTag), this.slots.length - 1);
    const first = multiple ? this.head : last;
    for (let index = Math.max(first, this.head); index <= last; index++) {
      const message = this.slots[index];
      if (message === undefined) continue;
      this.slots[index] = undefined;
      settled.push(message);
    }
    this.outstanding -= settled.length;
    while (this.head < this.slots.length && this.slots[this.head] === undefined) {
      this.head++;
      this.headTag++;
    }
    if (this.head > 4096 && this.head * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
    return settled;
  }

  /**
   * Marks the oldest unconfirmed, not yet returned message with this body as returned.
   * Returns come in publish order, each before its message's ack, so the oldest match is it
   * (two byte-identical bodies are interchangeable).
   */
  markReturned(content: Buffer, reason: ReturnReason): OutboundMessage | undefined {
    for (let index = this.head; index < this.slots.length; index++) {
      const message = this.slots[index];
      if (message === undefined || message.size !== content.length || this.returns?.has(message)) continue;
      if (content.toString('utf8') !== message.body) continue;
      this.returns ??= new Map();
      this.returns.set(message, reason);
      return message;
    }
    return undefined;
  }

  /** The return reason of a message being settled, if it was returned (and forgets it). */
  takeReturn(message: OutboundMessage): ReturnReason | undefined {
    const reason = this.returns?.get(message);
    if (reason) this.returns!.delete(message);
    return reason;
  }

  /** Everything still unconfirmed, in publish order (after the channel is gone). */
  drain(): OutboundMessage[] {
    const left = this.slots.slice(this.head).filter((m): m is OutboundMessage => m !== undefined);
    this.slots = [];
    this.head = 0;
    this.outstanding = 0;
    this.returns = undefined;
    return left;
  }
}
