export type { StartupMode } from '@broker/core';
export { adapter } from './adapter';
export { PikaEventBroker } from './broker/pika-event-broker';
export type { PikaEventBrokerOptions } from './broker/pika-event-broker-options';
export type { PikaMessageSourceOptions } from './source/pika-message-source';
export { PikaMessageSource } from './source/pika-message-source';
