import { ParseUUIDPipe } from '@nestjs/common';
import { TierwiseError } from '../errors';

type Named = 'model' | 'dataset' | 'study' | 'webhook' | 'key' | 'share';
const upper = <W extends Named>(what: W): Uppercase<W> => what.toUpperCase() as Uppercase<W>;

/** Path ids are UUIDs; anything else cannot name an object, so it is a <WHAT>_NOT_FOUND (404) rather than a 400. */
export const idPipe = (what: Named) =>
  new ParseUUIDPipe({ exceptionFactory: () => new TierwiseError(`${upper(what)}_NOT_FOUND`, `no ${what} with that id`) });
