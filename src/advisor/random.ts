/** The same seeded PRNG the runner's bootstrap uses, so every resampling in Tierwise repeats exactly. */
export { seededRandom } from '../benchmark/stats';

/** FNV-1a of a string: a per-candidate seed, so a candidate's resampling does not depend on input order. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
