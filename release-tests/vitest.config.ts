import { brokerVitestConfig } from '../vitest.shared.ts';

// The registry test builds, packs, publishes and installs: minutes, not seconds.
export default brokerVitestConfig({ integrationTimeoutMs: 15 * 60_000 });
