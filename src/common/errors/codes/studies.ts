import { errorCodes } from '../entry';

/** Studies, their decision data and share links. */
export const STUDY_ERRORS = errorCodes({
  STUDY_QUOTA_EXCEEDED: { status: 429, meaning: 'the team has TEAM_MAX_OPEN_STUDIES studies queued or running' },
  STUDY_NOT_FOUND: { status: 404, meaning: 'no study with that id (for this team)' },
  STUDY_INVALID: { status: 400, meaning: 'the study plan is inconsistent (operators, tiers, options)' },
  EFFORT_INVALID: { status: 400, meaning: 'the effort options contradict each other (e.g. targetRelCi without mode adaptive)' },
  STUDY_NOT_READY: { status: 409, meaning: 'the study has not completed, so its decision data does not exist yet' },
  STUDY_FINISHED: { status: 409, meaning: 'the study already ended and cannot be cancelled' },
  INPUT_SPEC_REQUIRED: { status: 422, meaning: 'the model has dynamic dims and the study gives no input spec to fix them' },
  SHARE_NOT_FOUND: { status: 404, meaning: 'no share link with that token' },
  SHARE_EXPIRED: { status: 410, meaning: 'the share link is past its expiry' },
  SHARE_REVOKED: { status: 410, meaning: 'the share link was revoked' },
});
