export type {
  BrokerSetupOptions,
  BrokerUnderTest,
  EventBrokerContractHarness,
  FailingBroker,
} from './event-broker-contract';
export { describeEventBrokerContract } from './event-broker-contract';
export { SAMPLE_EVENTS } from './sample-events';
export type { RecordedPhase, TracePhase } from './trace-recorder';
export { recordTracingChannel } from './trace-recorder';
export type { TrackerStoreContractHarness } from './tracker-store-contract';
export { describeTrackerStoreContract } from './tracker-store-contract';
