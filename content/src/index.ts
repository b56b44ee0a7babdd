export * from './categories';
export * from './content-item.schema';
export * from './markdown';
export * from './pack.schema';
export * from './protocol/index';
export * from './peripheral-event.schema';
