export { listCuts, describeCut, type CutCandidate, type CutList, type ListCutsOptions } from './cuts';
export { analyzeCut, requireCut, type CutShape, type CutVerdict } from './cut-analysis';
export { extractModel, splitModel, type SplitModels } from './extract';
export { probeShapes, bytesOf, type ProbedTensor, type ShapeProbe } from './shape-probe';
export { attributeNodeTimes, estimateCut, type CutEstimate, type PartitionRoute, type ProfiledNode, type TierCosts } from './estimate';
export { measureSplit, runnerInputs, type MeasuredSplit, type RunSettings } from './measure-cut';
export { searchPartition, type MeasuredCut, type PartitionSearchOptions, type PartitionSearchResult } from './search';
