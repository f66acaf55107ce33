import { errorCodes } from '../entry';

/** Measurements, tiers, calibration of devices and synthesised inputs. */
export const BENCHMARK_ERRORS = errorCodes({
  MEASURE_INVALID: { status: 400, meaning: 'measurement options (runs, warm-up) are out of range' },
  INPUT_SPEC_INVALID: { status: 400, meaning: 'an input spec is not valid JSON or names dims badly' },
  INPUT_REJECTED: { status: 422, meaning: 'onnxruntime rejects the inputs given to the model' },
  PROFILE_INVALID: { status: 500, meaning: 'onnxruntime wrote a profile that is not a JSON array of events' },
  PROFILE_MISSING: { status: 500, meaning: 'onnxruntime wrote no profile' },
  CALIBRATION_INVALID: { status: 400, meaning: 'device calibration figures are not positive numbers' },
  TIER_INVALID: { status: 400, meaning: 'a tier definition or override is out of range (name, role, envelope)' },
  TIER_EXISTS: {
    status: 409,
    meaning: 'a tier with that name is already configured (names are unique in the deployment: they name queues)',
  },
  TIER_NOT_FOUND: { status: 404, meaning: 'no tier of this team with that name' },
  TIER_READ_ONLY: { status: 409, meaning: 'the tier is configured by the deployment (defaults, TIERWISE_TIERS), not by the team' },
  TIER_UNKNOWN: { status: 400, meaning: 'a tier name that is not configured' },
  TIER_CONFIG_INVALID: { status: 500, meaning: 'the server’s tiers file cannot be read or is invalid' },
});
