import { errorCodes } from '../entry';

/** API keys and teams. */
export const AUTH_ERRORS = errorCodes({
  UNAUTHENTICATED: { status: 401, meaning: 'no API key, or one that names no team' },
  FORBIDDEN: { status: 403, meaning: 'the key may not do that' },
  KEY_NOT_FOUND: { status: 404, meaning: 'no API key with that id in the team' },
  TEAM_NOT_FOUND: { status: 404, meaning: 'no team with that name' },
  RATE_LIMITED: { status: 429, meaning: 'this key sent more requests than RATE_LIMIT_REQUESTS in the window; see Retry-After' },
  ADMIN_DISABLED: { status: 404, meaning: 'the admin pages are off (no ADMIN_API_KEY configured)' },
  ADMIN_KEY_REQUIRED: { status: 401, meaning: 'the admin pages need ADMIN_API_KEY (Bearer, or the Basic password)' },
});
