/**
 * `@broker/core/opentelemetry`: the OpenTelemetry integration. It needs the optional peer
 * dependency `@opentelemetry/api`; nothing else in @broker/core loads it.
 */
export { METRICS_SEMCONV_VERSION, OTHER_ERROR_TYPE, PUBLISHER_METRICS } from './metric-names';
export { type MetricsRegistration, observePublisherMetrics } from './publisher-metrics';
export { SEMCONV_PACKAGE_VERSION } from './semconv';
export type { TracingHandle, TracingOptions } from './tracing';
export { enableTracing } from './tracing';
