/**
 * Tail probabilities for the rank tests: the chi-square distribution (Kruskal–Wallis), the standard normal
 * (Mann–Whitney) and Student's t (Conover), through the regularized incomplete gamma and beta functions of
 * the stdlib numerical library (pure JavaScript, so the browser's decision view runs the same code).
 */
import betainc from '@stdlib/math-base-special-betainc';
import gammainc from '@stdlib/math-base-special-gammainc';
import gammaln from '@stdlib/math-base-special-gammaln';

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  return gammaln(x);
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`regularizedGammaP needs a > 0, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`regularizedGammaP needs x >= 0, got ${x}`);
  return gammainc(x, a, true, false);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), computed directly to keep small tails accurate. */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`regularizedGammaQ needs a > 0, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`regularizedGammaQ needs x >= 0, got ${x}`);
  return gammainc(x, a, true, true);
}

/** P(X ≥ x) for X ~ χ²(df). */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`chi-square needs df > 0, got ${df}`);
  if (x <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

/** P(|Z| ≥ |z|) for Z ~ N(0, 1): erfc(|z|/√2) = Q(½, z²/2). */
export function normalTwoSided(z: number): number {
  if (Number.isNaN(z)) throw new RangeError('normalTwoSided of NaN');
  return regularizedGammaQ(0.5, (z * z) / 2);
}

/** Regularized incomplete beta I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`regularizedBeta needs a, b > 0, got ${a}, ${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regularizedBeta needs x within [0, 1], got ${x}`);
  return betainc(x, a, b, true, false);
}

/** P(|T| ≥ |t|) for T ~ Student's t(df): I_{df/(df+t²)}(df/2, ½). */
export function studentTTwoSided(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`Student's t needs df > 0, got ${df}`);
  if (Number.isNaN(t)) throw new RangeError('studentTTwoSided of NaN');
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}
