// broker-test-kit: everything tests, benchmarks, the fault suite and the release tests import by name.
export * from './broker-cleanup.mjs';
export * from './endpoints.mjs';
export * from './kafka-topics.mjs';
export * from './tcp-proxy.mjs';
export * from './throwaway-tls-files.mjs';
