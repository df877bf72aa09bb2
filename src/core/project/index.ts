export * from './paths';
export * from './json-file';
export * from './project';
export type { FileKind } from './schemas';
