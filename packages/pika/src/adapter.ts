import { ADAPTER_SPECIFICATION_VERSION, type AdapterDescriptor, defineAdapter } from '@broker/core';
import { PikaEventBroker } from './broker/pika-event-broker';
import { PIKA_SETTINGS } from './pika-settings';
import { PikaMessageSource } from './source/pika-message-source';

/** How core builds `type: pika` sections: the broker, and the source that consumes its queues. */
export const adapter: AdapterDescriptor = defineAdapter({
  specificationVersion: ADAPTER_SPECIFICATION_VERSION,
  type: 'pika',
  packageName: '@broker/pika',
  settings: PIKA_SETTINGS,
  createBroker: (config, deps) => PikaEventBroker.fromEndpointConfig(config, deps),
  createSource: (config, options) => PikaMessageSource.fromEndpointConfig(config, options),
});
