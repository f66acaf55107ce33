export { pruneModel, validateSparsity, type PruneOptions, type PruneReport, type PruneScope, type PrunedLayer } from './magnitude';
