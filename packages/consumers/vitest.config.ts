import { brokerVitestConfig } from '../../vitest.shared';

export default brokerVitestConfig();
