// Types for services/index.mjs (broker-test-kit).
export * from './broker-cleanup.mjs';
export * from './endpoints.mjs';
export * from './kafka-topics.mjs';
export * from './tcp-proxy.mjs';
export * from './throwaway-tls-files.mjs';
