export * from './schedule.schema';
export * from './resolve';
export * from './describe';
