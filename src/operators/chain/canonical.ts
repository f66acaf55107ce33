import { createHash } from 'node:crypto';
import { TierwiseError } from '../../common/errors';

/** JSON with object keys sorted at every depth and undefined members dropped: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value, '$'));
}

function sortDeep(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TierwiseError('CHAIN_PARAMS_INVALID', `${path} is ${value}; parameters must be finite numbers`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => sortDeep(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortDeep(v, `${path}.${k}`)]));
  }
  throw new TierwiseError('CHAIN_PARAMS_INVALID', `${path} is a ${typeof value}; parameters must be JSON values`);
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface ChainStep {
  operator: string;
  params?: Record<string, unknown>;
}

/** The content address of a chain: sha256 of the canonical JSON of the input's sha256 and the steps in order. */
export function chainKey(inputSha256: string, steps: readonly ChainStep[]): string {
  if (!/^[0-9a-f]{64}$/.test(inputSha256))
    throw new TierwiseError('CHAIN_INPUT_INVALID', `input sha256 must be 64 lowercase hex digits, got ${JSON.stringify(inputSha256)}`);
  return sha256Hex(canonicalJson({ input: inputSha256, steps: steps.map((s) => ({ operator: s.operator, params: s.params ?? {} })) }));
}
