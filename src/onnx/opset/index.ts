export { convertOpset, MAX_TARGET_OPSET, MIN_SOURCE_OPSET, type OpsetConversion } from './convert';
