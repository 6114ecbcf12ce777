export { SEMCONV_PACKAGE_VERSION } from './semconv';
export type { TracingHandle, TracingOptions } from './tracing';
export { enableTracing } from './tracing';
