export * from './device.schema';
export * from './error.schema';
export * from './manifest.schema';
export * from './openapi';
export * from './payments.schema';
export * from './paths';
export * from './visitors.schema';
export * from './fleet.schema';
