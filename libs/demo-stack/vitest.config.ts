import { projectTestConfig } from '@retail-streams/workspace-tools/vitest';

export default projectTestConfig('demo-stack');
