export { applyChain, chainLabel, memoryChainCache, type ChainBase, type ChainCache, type ChainResult, type StepRecord } from './chain';
export { canonicalJson, chainKey, sha256Hex, type ChainStep } from './canonical';
