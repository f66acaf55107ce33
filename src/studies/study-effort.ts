import { TierwiseError } from '../common/errors';
import type { StudyView } from './study.views';

type Effort = StudyView['effort'];

/**
 * Cross-field checks the DTO's per-field rules cannot make: adaptive settings only with `mode: adaptive`, and an
 * adaptive study decides its own run count (so `runs` is not given with it).
 */
export function checkEffort(given: Partial<Effort>): void {
  const adaptive = given.mode === 'adaptive';
  const stray = (['targetRelCi', 'maxRuns'] as const).filter((k) => given[k] !== undefined && !adaptive);
  if (stray.length > 0)
    throw new TierwiseError('EFFORT_INVALID', `effort.${stray.join(', effort.')} only applies with effort.mode "adaptive"`, { given });
  if (adaptive && given.runs !== undefined)
    throw new TierwiseError('EFFORT_INVALID', 'effort.mode "adaptive" decides the number of runs: give maxRuns (a cap) instead of runs', {
      given,
    });
}
