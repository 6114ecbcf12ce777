export type { ConsumedEvent, EventHandler, HandlerContext } from './consumer/consumed-event';
export type { DecodedMessage, MalformedKind } from './consumer/decode-message';
export { decodeMessage } from './consumer/decode-message';
export type { ConsumerOptions, ConsumerReport, ConsumerStats } from './consumer/event-consumer';
export { createConsumer, EventConsumer, openMessageSource, runConsumer } from './consumer/event-consumer';
export type { EventFilterOptions } from './consumer/event-filter';
export { createEventFilter } from './consumer/event-filter';
export type { RetryOptions, RetryPolicy } from './consumer/retry-policy';
export { backoffDelay, DEFAULT_RETRY, retryPolicy } from './consumer/retry-policy';
export type { DemoTurn } from './demo/moodbot-script';
export { moodbotScript } from './demo/moodbot-script';
export type { DemoOptions, DemoResult } from './demo/run-demo';
export { runDemo } from './demo/run-demo';
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
export { SinkError } from './sinks/sink-error';
export type { OutputFormat, StdoutSinkOptions } from './sinks/stdout-sink';
export { StdoutSink } from './sinks/stdout-sink';
export type { TranscriptOptions } from './sinks/transcript';
export { formatTranscriptLine } from './sinks/transcript';
