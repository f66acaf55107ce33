import { errorCodes } from '../entry';

/** Failures recorded on a study's variants by the jobs (never an HTTP answer; the status is nominal). */
export const JOB_ERRORS = errorCodes({
  JOB_FAILED: { status: 500, meaning: 'a job failed for a reason that is not a domain error (a bug, a dropped connection)' },
  JOB_UNKNOWN: { status: 500, meaning: 'a job name that is not in the job catalogue' },
  JOB_MISROUTED: { status: 500, meaning: 'a job arrived on a queue that is not its own' },
  JOB_UNHANDLED: { status: 500, meaning: 'this worker has no handler for the job' },
  PARENT_NOT_BUILT: {
    status: 409,
    meaning: "a chained variant whose parent variant was refused or failed (the parent's code is in the message)",
  },
  VARIANT_NOT_BUILT: { status: 409, meaning: 'a variant is measured or evaluated before it is built' },
  EVALUATION_UNSCORABLE: { status: 422, meaning: 'the output is not class scores and the dataset has no labels to score it' },
});
