export { recordMessagingDurations } from './duration-metrics';
export {
  DURATION_BUCKETS_SECONDS,
  DURATION_METRICS,
  METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES,
  METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
  METRIC_MESSAGING_PROCESS_DURATION,
  OTHER_ERROR_TYPE,
  PUBLISHER_METRICS,
} from './metric-names';
export { type MetricsRegistration, observePublisherMetrics } from './publisher-metrics';
export { SEMCONV_PACKAGE_VERSION } from './semconv';
export type { TracingHandle, TracingOptions } from './tracing';
export { enableTracing } from './tracing';
