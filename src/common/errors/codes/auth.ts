import { errorCodes } from '../entry';

/** API keys and teams. */
export const AUTH_ERRORS = errorCodes({
  UNAUTHENTICATED: { status: 401, meaning: 'no API key, or one that names no team' },
  FORBIDDEN: { status: 403, meaning: 'the key may not do that' },
  WORKER_TOKEN_FORBIDDEN: {
    status: 403,
    meaning: 'a worker token may call only the /v1/worker routes (take jobs, fetch their inputs, post results)',
  },
  WORKER_TOKEN_REQUIRED: {
    status: 403,
    meaning: 'the /v1/worker routes take a worker token (`tierwise keys create --worker`), not a team key',
  },
  TEAM_ADMIN_REQUIRED: {
    status: 403,
    meaning: "a member key runs studies but may not change the team's set-up (tiers, keys): use a team (admin) key",
  },
  WORKER_KEY_FORBIDDEN: { status: 403, meaning: "only the deployment's team (WORKER_KEYS_TEAM) may create worker tokens over REST" },
  KEY_NOT_FOUND: { status: 404, meaning: 'no API key with that id in the team' },
  TEAM_NOT_FOUND: { status: 404, meaning: 'no team with that name' },
  RATE_LIMITED: { status: 429, meaning: 'this key sent more requests than RATE_LIMIT_REQUESTS in the window; see Retry-After' },
  ADMIN_DISABLED: { status: 404, meaning: 'the admin pages are off (no ADMIN_API_KEY configured)' },
  ADMIN_KEY_REQUIRED: { status: 401, meaning: 'the admin pages need ADMIN_API_KEY (Bearer, or the Basic password)' },
});
