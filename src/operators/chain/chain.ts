import { TierwiseError } from '../../common/errors';
import { chainKey, sha256Hex, type ChainStep } from './canonical';
import { operatorNamed, type OperatorContext, type PartitionOutput } from '../registry';

export interface ChainBase {
  bytes: Uint8Array;
  /** Operators that already made the base (e.g. `['distilled']` for an uploaded student); default none. */
  operators?: string[];
}

export interface StepRecord {
  operator: string;
  params: Record<string, unknown>;
  /** chainKey of the base and the steps up to and including this one. */
  key: string;
  sha256: string;
  sizeBytes: number;
  /** True when this step's result came from the cache instead of being built. */
  cached: boolean;
  report?: unknown;
}

export interface ChainResult {
  /** The operator chain as a Variant records it, in application order: `['distilled', 'sptq']`. */
  chain: string[];
  /** The composition as written in the study's notation: `sptq∘distilled`. */
  label: string;
  key: string;
  inputSha256: string;
  steps: StepRecord[];
  /** The built model; for a chain ending in partition, its head and tail instead. */
  bytes?: Uint8Array;
  parts?: PartitionOutput;
}

interface CachedStep {
  bytes?: Uint8Array;
  parts?: PartitionOutput;
  report?: unknown;
}

/** Where built steps are kept by content address; a Map is enough in one process, the blob store across machines. */
export interface ChainCache {
  get(key: string): CachedStep | undefined | Promise<CachedStep | undefined>;
  set(key: string, value: CachedStep): void | Promise<void>;
}

export function chainLabel(chain: readonly string[]): string {
  return chain.length === 0 ? 'identity' : [...chain].reverse().join('∘');
}

/**
 * Applies `steps` in order to the base model. Every prefix is content-addressed (input sha256 + operators +
 * params), so with a cache the same chain — or a shared prefix such as `prune` in `prune∘sptq` and
 * `prune∘early-exit` — is built once. Partition yields two models, so it may only be the last step.
 */
export async function applyChain(
  base: ChainBase,
  steps: readonly ChainStep[],
  ctx: OperatorContext = {},
  cache?: ChainCache,
): Promise<ChainResult> {
  if (steps.length === 0) throw new TierwiseError('CHAIN_INVALID', 'a chain needs at least one step');
  steps.forEach((step, i) => {
    if (step.operator === 'partition' && i !== steps.length - 1)
      throw new TierwiseError(
        'CHAIN_INVALID',
        `partition yields two models, so it must be the last step (it is step ${i + 1} of ${steps.length})`,
      );
    operatorNamed(step.operator);
  });
  const inputSha256 = sha256Hex(base.bytes);
  let bytes = base.bytes;
  let parts: PartitionOutput | undefined;
  const records: StepRecord[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const params = step.params ?? {};
    const key = chainKey(inputSha256, steps.slice(0, i + 1));
    let built = cache ? await cache.get(key) : undefined;
    const cached = built !== undefined;
    if (!built) {
      const out = await operatorNamed(step.operator).apply(bytes, params, ctx);
      built = out.parts ? { parts: out.parts, report: out.report ?? out.parts.report } : { bytes: out.bytes, report: out.report };
      if (cache) await cache.set(key, built);
    }
    if (built.parts) parts = built.parts;
    else bytes = built.bytes!;
    const produced = built.parts ? built.parts.head : built.bytes!;
    records.push({
      operator: step.operator,
      params,
      key,
      sha256: sha256Hex(produced),
      sizeBytes: built.parts ? built.parts.head.byteLength + built.parts.tail.byteLength : produced.byteLength,
      cached,
      report: built.report,
    });
  }
  const chain = [...(base.operators ?? []), ...steps.map((s) => s.operator)];
  return { chain, label: chainLabel(chain), key: records.at(-1)!.key, inputSha256, steps: records, ...(parts ? { parts } : { bytes }) };
}

/** An in-process ChainCache. */
export function memoryChainCache(): ChainCache & { size(): number } {
  const map = new Map<string, CachedStep>();
  return {
    get: (key) => map.get(key),
    set: (key, value) => {
      map.set(key, value);
    },
    size: () => map.size,
  };
}
