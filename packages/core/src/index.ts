export type { AdapterDeps, AdapterDescriptor } from './adapter/adapter-descriptor';
export {
  ADAPTER_SPECIFICATION_VERSION,
  defineAdapter,
  isAdapterDescriptor,
} from './adapter/adapter-descriptor';
export type { BufferLimits, OverflowPolicy } from './broker/buffer-limits';
export {
  BUFFER_LIMIT_RANGE,
  checkBufferLimits,
  DEFAULT_BUFFER_LIMITS,
  OVERFLOW_POLICIES,
} from './broker/buffer-limits';
export type { BufferedEventBrokerOptions } from './broker/buffered-event-broker';
export { BufferedEventBroker } from './broker/buffered-event-broker';
export type { EncodedEventBody } from './broker/encode-event-body';
export { encodeEventBody } from './broker/encode-event-body';
export type {
  BrokerState,
  BrokerStats,
  CloseOptions,
  CloseReport,
  EventBody,
  EventBroker,
  EventBrokerEvents,
  EventMessageBody,
  PublishOptions,
  UndeliveredEvent,
} from './broker/event-broker';
export type { FileEventBrokerOptions } from './broker/file-event-broker';
export { FileEventBroker } from './broker/file-event-broker';
export type { FollowEventFileOptions, FollowedLine } from './broker/follow-event-file';
export { followEventFile } from './broker/follow-event-file';
export type {
  InMemoryDelivery,
  InMemoryEventBrokerOptions,
  InMemorySubscriber,
} from './broker/in-memory-event-broker';
export { InMemoryEventBroker } from './broker/in-memory-event-broker';
export type { DeliveryObserver, OutboundMessage, SettleOutcome, SettleReason } from './broker/outbound-queue';
export { OutboundQueue } from './broker/outbound-queue';
export type { RetryDelayOptions } from './broker/retry-delay';
export { retryDelay } from './broker/retry-delay';
export type { StartupMode } from './broker/startup-mode';
export type { ConfigReaderContext, ReadOptions } from './config/config-reader';
export { ConfigReader } from './config/config-reader';
export type { CreateEventBrokerOptions, EventBrokerFactory } from './config/create-event-broker';
export { createEventBroker } from './config/create-event-broker';
export type {
  KeyStyle,
  SettingSpec,
  SettingsTable,
  SettingType,
  SettingValue,
  SettingValueType,
} from './config/declared-settings';
export { defineSettings, namesIn } from './config/declared-settings';
export type { EndpointConfig } from './config/endpoint-config';
export { asEndpointConfig, CONSUMED_KEYS, toEndpointConfig } from './config/endpoint-config';
export type { Environment, Substitution } from './config/env-substitution';
export { expandVars, substituteEnvVars } from './config/env-substitution';
export type { Endpoints, LoadEndpointsOptions } from './config/load-endpoints';
export { loadEndpoints, parseEndpoints } from './config/load-endpoints';
export { importModule } from './config/load-module';
export { SettingsReader } from './config/settings-reader';
export type { MessageSourceOptions } from './consumer/create-message-source';
export { createMessageSource } from './consumer/create-message-source';
export type { FileMessageSourceOptions } from './consumer/file-message-source';
export { FileMessageSource } from './consumer/file-message-source';
export type {
  ConsumeOptions,
  MessageSource,
  Settlement,
  SourceBacklog,
  SourceMessage,
} from './consumer/message-source';
export type { BrokerErrorCode, BrokerErrorOptions } from './errors/broker-error';
export { BrokerError, brokerErrorCodes, isBrokerError } from './errors/broker-error';
export type { ConfigErrorOptions } from './errors/errors';
export {
  AccessRefusedError,
  AuthenticationError,
  BrokerClosedError,
  BufferOverflowError,
  ConfigError,
  ConnectionError,
  DeliveryFailedError,
  EnvVarMissingError,
  EventValidationError,
  MessageTooLargeError,
  MissingDependencyError,
  PublishError,
  TimeoutError,
  TlsError,
  UnsupportedBrokerTypeError,
} from './errors/errors';
export type { EventBuilderOptions } from './events/builders';
export {
  actionExecuted,
  botUttered,
  nowInSeconds,
  sessionStarted,
  slotSet,
  userUttered,
} from './events/builders';
export { isKnownEvent, isKnownEventType, isUnknownEvent, KNOWN_EVENT_TYPES } from './events/event-schema';
export type * from './events/event-types';
export type { JsonInput, ParseEventOptions } from './events/parse-event';
export { parseEvent, parseEventMessage } from './events/parse-event';
export { pythonFloat, toPythonJson } from './events/python-json';
export type { SerialiseEventOptions } from './events/serialise-event';
export { orderEventFields, serialiseEvent } from './events/serialise-event';
export { censorText, censorUrl, isSecretKey, redactConfig } from './logging/censor';
export type { LogFn, Logger } from './logging/logger';
export { childLogger, noopLogger } from './logging/logger';
export type {
  ConnectionStateMessage,
  ConsumeContext,
  ConsumeResult,
  ConsumeRetryMessage,
  DeliverContext,
  MessagingTarget,
  PublishContext,
} from './telemetry/channels';
export {
  CONNECTION_CHANNEL,
  CONSUME_CHANNEL,
  CONSUME_RETRY_CHANNEL,
  connectionChannel,
  consumeChannel,
  consumeRetryChannel,
  DELIVER_CHANNEL,
  deliverChannel,
  messagingSystem,
  PUBLISH_CHANNEL,
  publishChannel,
} from './telemetry/channels';
export type { DialogueStateTrackerOptions } from './tracker/dialogue-state-tracker';
export { ACTION_LISTEN, ACTION_SESSION_START, DialogueStateTracker } from './tracker/dialogue-state-tracker';
export type { InMemoryTrackerStoreOptions } from './tracker/in-memory-tracker-store';
export { InMemoryTrackerStore } from './tracker/in-memory-tracker-store';
export type {
  GetOrCreateTrackerOptions,
  StreamingTrackerStoreOptions,
  TrackerRecord,
  TrackerStore,
  TrackerStoreEvents,
  TrackerStoreStats,
} from './tracker/tracker-store';
export { StreamingTrackerStore } from './tracker/tracker-store';
