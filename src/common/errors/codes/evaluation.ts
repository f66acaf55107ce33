import { errorCodes } from '../entry';

/** Accuracy evaluation of a variant against a dataset. */
export const EVALUATION_ERRORS = errorCodes({
  EVALUATION_FAILED: { status: 422, meaning: 'the scored output cannot be evaluated (a string tensor, no output)' },
});
