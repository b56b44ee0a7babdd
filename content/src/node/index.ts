export * from './front-matter.parser';
export * from './image-mime.detector';
export * from './pack.loader';
export * from './pass-token';
