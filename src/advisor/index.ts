/**
 * The advisor: pure ranking engine. Given measurements, accuracies, payload sizes, the network and the
 * user's constraints, it composes end-to-end latency per (variant, scenario), filters, ranks with statistics,
 * explains, finds bandwidth crossovers and renders reports. It imports nothing from Nest.
 */
export * from './types';
export { rankCandidates, accuracyDropOf } from './rank';
export { findCrossovers, type CrossoverOptions } from './crossovers';
export {
  ALL_SCENARIOS,
  DEFAULT_NETWORK,
  describeScenario,
  hopsBetween,
  pairPartitionSamples,
  resolveNetwork,
  scenarioNetworkCost,
  scenarioTiers,
  type NetworkCost,
  type TransferBytes,
} from './scenarios';
export { DEFAULT_SCENARIOS, validateStudyInput } from './validate';
export { paretoFront, type ParetoPoint } from './pareto';
export { operatorAlias } from './candidates';
export { seededRandom } from './random';
export { buildReport, reportToCsv, reportToHtml, type AdvisorReport } from './report';
export * as statistics from './statistics';

import { findCrossovers, type CrossoverOptions } from './crossovers';
import { rankCandidates } from './rank';
import type { Crossover, Ranking, StudyInput } from './types';

export interface Advice extends Ranking {
  crossovers: Crossover[];
}

/** The advise step of a study: ranking plus bandwidth crossovers. */
export function advise(input: StudyInput, crossoverOptions?: CrossoverOptions): Advice {
  return { ...rankCandidates(input), crossovers: findCrossovers(input, crossoverOptions) };
}
