import { brokerVitestConfig } from '../vitest.shared.ts';

export default brokerVitestConfig();
