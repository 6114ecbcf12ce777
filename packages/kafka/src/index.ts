export type { StartupMode } from '@broker/core';
export { adapter } from './adapter';
export type { KafkaEndpointDeps } from './kafka-event-broker';
export { KafkaEventBroker } from './kafka-event-broker';
export type { KafkaEventBrokerOptions } from './kafka-event-broker-options';
export type { KafkaMessageSourceOptions, KafkaSourceDeps } from './kafka-message-source';
export { DEFAULT_GROUP_ID, KafkaMessageSource } from './kafka-message-source';
export type { PartitionerName } from './partitioning/key-partitioner';
export { partitionForKey } from './partitioning/key-partitioner';
export type {
  ClientLogLevel,
  KafkaConnectionOptions,
  OAuthBearerProvider,
  OAuthBearerToken,
  SaslMechanism,
  SecurityProtocol,
} from './settings/connection-options';
