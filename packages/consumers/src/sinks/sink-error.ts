import { BrokerError, type BrokerErrorOptions } from '@broker/core';

/** A sink could not store an event (a write failed, a transaction was rolled back). */
export class SinkError extends BrokerError {
  readonly sink: string;

  constructor(sink: string, message: string, options: BrokerErrorOptions = {}) {
    super('BROKER_SINK', message, options);
    this.sink = sink;
  }
}
