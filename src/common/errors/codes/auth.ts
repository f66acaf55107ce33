import { errorCodes } from '../entry';

/** API keys and teams. */
export const AUTH_ERRORS = errorCodes({
  UNAUTHENTICATED: { status: 401, meaning: 'no API key, or one that names no team' },
  FORBIDDEN: { status: 403, meaning: 'the key may not do that' },
});
