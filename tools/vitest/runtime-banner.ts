// Printed once per test run so CI logs show which runtime ran the tests (the system Node may be older
// than the Node 24 that the `node` devDependency puts first on PATH).
export default function printRuntimeBanner(): void {
  console.log(`[runtime] Node ${process.version} (${process.execPath})`);
}
