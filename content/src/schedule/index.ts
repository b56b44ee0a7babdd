export * from './schedule.schema';
export * from './resolve';
