// Entry point of the broker process. Node strips the TypeScript types of ~1 MB of sources (most of it
// the generated protocol codecs) on every start, which alone takes ~0.5 s; Node's on-disk compile cache
// keeps the stripped and compiled code between runs and brings a warm start down to tens of
// milliseconds. It has to be enabled before those modules load, hence this tiny file and the dynamic
// import. NODE_COMPILE_CACHE / NODE_DISABLE_COMPILE_CACHE still apply.
import module from 'node:module';

module.enableCompileCache?.();

const { fail, main } = await import('./cli.ts');
await main().catch((err: unknown) =>
  fail(`unexpected error: ${(err as Error)?.stack ?? String(err)}`),
);
