/**
 * The child processes Tierwise isolates its untrusted and measuring work in, one entry point each. Parents start
 * them with `runChild({ entry: childEntry('runner'), … })`; each entry file only wires a request handler to
 * `childMain`, so the work itself stays in its feature folder.
 */
import { siblingEntry } from '../../common/paths';

export type ChildEntry = 'runner' | 'build' | 'evaluate' | 'inspect' | 'probe' | 'dataset';

/** Path of a child entry point, in the same flavour (compiled `.js` or `tsx` `.ts`) as the running code. */
export function childEntry(name: ChildEntry): string {
  return siblingEntry(__filename, `${name}-main`);
}
