export { cliffsDelta, cliffsMagnitude, type CliffsDeltaResult, type EffectMagnitude } from './cliffs-delta';
export { conoverPosthoc, type PairwiseResult } from './conover';
export { mean, quantileSorted, sortedAscending, summarize, type Summary } from './descriptive';
export {
  chiSquareSurvival,
  logGamma,
  normalTwoSided,
  regularizedBeta,
  regularizedGammaP,
  regularizedGammaQ,
  studentTTwoSided,
} from './distributions';
export { holmAdjust } from './holm';
export { kruskalWallis, type KruskalWallisResult } from './kruskal-wallis';
export { mannWhitney, type MannWhitneyResult } from './mann-whitney';
export { rankWithTies, type RankedPool } from './ranks';
