export * from './task';
export * from './boxes';
export * from './detection';
export * from './coco';
export * from './segmentation';
export * from './sequence';
export * from './regression';
export * from './stats';
