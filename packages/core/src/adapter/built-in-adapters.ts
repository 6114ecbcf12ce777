import { FileEventBroker } from '../broker/file-event-broker';
import { InMemoryEventBroker } from '../broker/in-memory-event-broker';
import { FileMessageSource } from '../consumer/file-message-source';
import { ADAPTER_SPECIFICATION_VERSION, type AdapterDescriptor, defineAdapter } from './adapter-descriptor';

const fileAdapter = defineAdapter({
  specificationVersion: ADAPTER_SPECIFICATION_VERSION,
  type: 'file',
  packageName: '@broker/core',
  createBroker: (config, deps) => FileEventBroker.fromEndpointConfig(config, deps),
  createSource: (config, options) => FileMessageSource.fromEndpointConfig(config, options),
});

const memoryAdapter = defineAdapter({
  specificationVersion: ADAPTER_SPECIFICATION_VERSION,
  type: 'memory',
  packageName: '@broker/core',
  createBroker: (config, deps) => InMemoryEventBroker.fromEndpointConfig(config, deps),
});

/** The adapters core carries itself, by every `type` that names them. */
export const BUILT_IN_ADAPTERS: Readonly<Record<string, AdapterDescriptor>> = {
  file: fileAdapter,
  memory: memoryAdapter,
  in_memory: memoryAdapter,
};
