#!/usr/bin/env node
// npm links this file as the `streaming` command. It stays plain JavaScript so npm's shim can run it;
// the command itself is TypeScript, which Node 24 runs directly (type stripping).
import { main } from '../src/main.ts';

await main();
