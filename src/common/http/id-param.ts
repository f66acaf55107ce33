import { ParseUUIDPipe } from '@nestjs/common';
import { TierwiseError } from '../errors';

/** Path ids are UUIDs; anything else cannot name an object, so it is a 404 rather than a 400. */
export const idPipe = (what: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => new TierwiseError(`${what.toUpperCase()}_NOT_FOUND`, `no ${what} with that id`, 404) });
