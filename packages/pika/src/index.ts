export { adapter } from './adapter';
export { PikaEventBroker } from './broker/pika-event-broker';
export type { PikaEventBrokerOptions, StartupMode } from './broker/pika-event-broker-options';
export type { PikaMessageSourceOptions } from './source/pika-message-source';
export { PikaMessageSource } from './source/pika-message-source';
