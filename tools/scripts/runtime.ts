/** The oldest Node major the project runs on; `engines.node` says the same to npm. */
export const MINIMUM_NODE_MAJOR = 22;

export function nodeMajor(version: string = process.versions.node): number {
  return Number.parseInt(version.split('.')[0] ?? '0', 10);
}

export function assertSupportedRuntime(version: string = process.versions.node): void {
  if (nodeMajor(version) < MINIMUM_NODE_MAJOR) {
    throw new Error(
      `RUNTIME_TOO_OLD: Node ${version} is too old; run through npm (npm test, npm start, npx ...) ` +
        `so the Node 24 from the "node" devDependency is used, or install Node >= ${MINIMUM_NODE_MAJOR}.`,
    );
  }
}
