import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root: every app entry point and the default data folder are found from here. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `npm start` and `npm run infra` keep everything that must survive a restart. */
export const defaultDataDir = join(repoRoot, '.data');
