import { projectTestConfig } from './vitest/project-config.ts';

export default projectTestConfig('workspace-tools');
