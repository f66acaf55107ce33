import { errorCodes } from '../entry';

/** Ranking, scenarios, statistics and crossovers. */
export const ADVISOR_ERRORS = errorCodes({
  ADVISOR_INPUT_INVALID: { status: 400, meaning: 'the advisor was given measurements it cannot rank' },
  SCENARIO_INVALID: { status: 400, meaning: 'an unknown deployment scenario' },
  NETWORK_INVALID: {
    status: 400,
    meaning:
      'a network is invalid: bandwidth or latency not positive numbers, an unknown link or path, a request encoding the dataset cannot give',
  },
  PAYLOAD_INVALID: { status: 400, meaning: 'a scenario lacks the payload size it needs' },
  MEASUREMENT_INVALID: { status: 400, meaning: 'a candidate lacks the measurements its scenario needs' },
  STATISTICS_INVALID: { status: 400, meaning: 'a statistical test was given too few observations' },
  CROSSOVER_INVALID: { status: 400, meaning: 'a crossover sweep range is empty or non-positive' },
});
