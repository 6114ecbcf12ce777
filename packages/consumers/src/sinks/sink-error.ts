import { BrokerError, type BrokerErrorOptions } from '@broker/core';

/** A sink could not store an event (a write failed, a transaction was rolled back). */
export class SinkError extends BrokerError {
  readonly sink: string;

  constructor(sink: string, message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_SINK', message, options);
    this.sink = sink;
  }
}

/**
 * Not stored because an earlier event of the same conversation failed and has not been
 * written again yet (a pipelined sink keeps each conversation in order). Write this one again
 * after the earlier one: nothing is wrong with it.
 */
export class HeldBackError extends SinkError {
  constructor(sink: string, senderId: string) {
    super(
      sink,
      `An earlier event of conversation ${senderId} failed to be stored: this one waits for it to be written again.`,
      { canRetry: true },
    );
  }
}
