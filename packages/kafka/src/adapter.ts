import { ADAPTER_SPECIFICATION_VERSION, type AdapterDescriptor, defineAdapter } from '@broker/core';
import { KafkaEventBroker } from './kafka-event-broker';
import { KafkaMessageSource } from './kafka-message-source';
import { KAFKA_SETTINGS } from './settings/kafka-settings';

/** How core builds `type: kafka` sections: the broker, and the source that consumes its topic. */
export const adapter: AdapterDescriptor = defineAdapter({
  specificationVersion: ADAPTER_SPECIFICATION_VERSION,
  type: 'kafka',
  packageName: '@broker/kafka',
  settings: KAFKA_SETTINGS,
  createBroker: (config, deps) => KafkaEventBroker.fromEndpointConfig(config, deps),
  createSource: (config, options) => KafkaMessageSource.fromEndpointConfig(config, options),
});
