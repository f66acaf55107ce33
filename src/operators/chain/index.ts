export { applyChain, chainLabel, memoryChainCache, type ChainBase, type ChainCache, type ChainResult, type StepRecord } from './chain';
export { canonicalJson, chainKey, sha256Hex, type ChainStep } from './canonical';
export { OPERATORS, applyPartition, operatorNamed, type BlackBoxOperator, type OperatorContext, type OperatorOutput, type PartitionOutput } from './registry';
