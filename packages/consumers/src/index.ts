export type { ConsumedEvent, EventHandler, HandlerContext } from './consumer/consumed-event';
export type { DecodedMessage, MalformedKind } from './consumer/decode-message';
export { decodeMessage } from './consumer/decode-message';
export type { ConsumerOptions, ConsumerReport, ConsumerStats } from './consumer/event-consumer';
export { createConsumer, EventConsumer, openMessageSource, runConsumer } from './consumer/event-consumer';
export type { EventFilterOptions } from './consumer/event-filter';
export { createEventFilter } from './consumer/event-filter';
export type { FailureKind } from './consumer/failure-kind';
export { failureKind } from './consumer/failure-kind';
export type { RetryOptions, RetryPolicy } from './consumer/retry-policy';
export { backoffDelay, DEFAULT_RETRY, retryPolicy } from './consumer/retry-policy';
export type { DemoTurn } from './demo/moodbot-script';
export { moodbotScript } from './demo/moodbot-script';
export type { DemoOptions, DemoResult } from './demo/run-demo';
export { runDemo } from './demo/run-demo';
export type { ExportableEvent, ExportEventsOptions, ExportReport } from './export/export-events';
export {
  EXPORT_PROCESS_ID_HEADER,
  ExportInterruptedError,
  exportBody,
  exportEvents,
} from './export/export-events';
export type { ExportFilter } from './export/tracker-dump-events';
export { trackerDumpEvents } from './export/tracker-dump-events';
export type { ConsumerMetricsOptions } from './metrics/consumer-metrics';
export { observeConsumerMetrics } from './metrics/consumer-metrics';
export { CONSUMER_METRICS } from './metrics/metric-names';
export type { PublishEventsOptions, PublishItem, PublishReport } from './publish/publish-events';
export { publishEvents } from './publish/publish-events';
export type { EventInputItem, ReadEventInputOptions } from './publish/read-event-input';
export { readEventInput } from './publish/read-event-input';
export type { KafkaEventsOptions } from './reference/consume-kafka-events';
export { consumeKafkaEvents } from './reference/consume-kafka-events';
export type { RabbitMqEventsOptions } from './reference/consume-rabbitmq-events';
export { consumeRabbitMqEvents } from './reference/consume-rabbitmq-events';
export type { ReferenceConsumeOptions } from './reference/consume-reference';
export type { ReceivedEventCallback, ReceivedMessage } from './reference/received-event';
export type { EventSink } from './sinks/event-sink';
export type { JsonLinesFileSinkOptions } from './sinks/jsonl-file-sink';
export { JsonLinesFileSink } from './sinks/jsonl-file-sink';
export type { Migration } from './sinks/postgres/migrations';
export { LATEST_SCHEMA_VERSION, MIGRATIONS } from './sinks/postgres/migrations';
export type {
  PostgresConversationStoreOptions,
  StoredEvent,
  StoredEventQuery,
} from './sinks/postgres/postgres-conversation-store';
export { PostgresConversationStore } from './sinks/postgres/postgres-conversation-store';
export type { PostgresSinkOptions } from './sinks/postgres/postgres-sink';
export { PostgresSink } from './sinks/postgres/postgres-sink';
export { HeldBackError, SinkError } from './sinks/sink-error';
export type { OutputFormat, StdoutSinkOptions } from './sinks/stdout-sink';
export { StdoutSink } from './sinks/stdout-sink';
export type { TranscriptOptions } from './sinks/transcript';
export { formatTranscriptLine } from './sinks/transcript';
