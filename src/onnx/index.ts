export * from './io-spec';
export * from './model-io';
export * from './tensor';
export * from './graph';
export * from './shapes';
export * from './runtime';
export * from './describe';
