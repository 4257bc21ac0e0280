export * from './config/index.ts';
export * from './database/index.ts';
export * from './http/index.ts';
export * from './lifecycle/index.ts';
export * from './logging/index.ts';
export * from './telemetry/index.ts';
