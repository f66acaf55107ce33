/** Per-family figures from one study run: end-to-end p50 per (variant, scenario), compute p50 per tier, accuracy. */
import { chainName, type Family, type StudyRun } from '../study/run-study';

export const PAPER_CHAINS = ['identity', 'sptq', 'qat', 'pruned', 'distilled', 'distilled+sptq'] as const;
export const PAPER_NAMES: Record<string, string> = {
  identity: 'identity',
  sptq: 'SPTQ',
  qat: 'QAT',
  pruned: 'pruned',
  distilled: 'distilled',
  'distilled+sptq': 'DSPTQ',
};

/** The runner's own warning threshold: above it, a measurement's figures may be inflated by other work. */
export const INTERFERENCE_WARNING = 0.05;
/** Above this share a figure is marked † in the document: heavily shared cores. */
export const INTERFERENCE_MARK = 0.3;

export interface Cell {
  /** End-to-end p50 of the scenario (compute + computed network + input decode), ms. */
  p50Ms: number;
  rank: number | null;
  networkMs: number;
  /** Turning the input into tensors where the model starts (0 when not measured, as for text). */
  inputDecodeMs?: number;
  /** Largest share of the measuring cores other processes used during the measurements behind this cell. */
  interference: number;
}

export interface VariantFigures {
  chain: string;
  variantId: string;
  sizeBytes: number | null;
  accuracy: number | null;
  scenarios: Record<string, Cell>;
  /** Warm tier-scaled compute p50 of the whole model per tier, ms. */
  computeMs: Record<string, number>;
}

export interface PartitionFigures {
  chain: string;
  source: string;
  scenario: string;
  cut: string;
  cutBytes: number;
  cell: Cell;
}

export interface FamilyFigures {
  family: Family;
  model: string;
  split: string;
  evalSamples: number;
  metric: string;
  wallMs: number;
  requestBytes: number | null;
  variants: VariantFigures[];
  partitions: PartitionFigures[];
  methods: string[];
  /** Measurements above the runner's 5% interference warning, those above the † mark, of all; the worst five. */
  contaminated: { count: number; heavy?: number; of: number; worst: string[] };
  recommendation: string | null;
  top: Array<{ rank: number | null; name: string; p50Ms: number; accuracy: number | null }>;
  crossovers: Array<{ sentence: string }>;
  failures: unknown[];
}

export function familyFigures(family: Family, model: string, split: string, run: StudyRun): FamilyFigures {
  const recs = run.recommendations;
  const interference = (variantId: string, scenario: string): number => {
    const used = run.measurements.filter(
      (m) => m.variantId === variantId && (scenario.includes('|') ? m.part !== 'whole' : m.tier === scenario && m.part === 'whole'),
    );
    return Math.max(0, ...used.map((m) => Number(m.envelope?.interference?.foreignCpuShare ?? 0)));
  };
  const cell = (variantId: string, scenario: string): Cell | undefined => {
    const r = recs.find((x) => x.variantId === variantId && x.scenario === scenario);
    return r
      ? {
          p50Ms: Number(r.latencyMs),
          rank: r.rank ?? null,
          networkMs: Number(r.details?.latency?.networkMs ?? 0),
          inputDecodeMs: Number(r.details?.latency?.inputDecodeMs ?? 0),
          interference: interference(variantId, scenario),
        }
      : undefined;
  };
  const accuracyOf = new Map(run.accuracy.map((a) => [a.variantId, a]));
  const whole = run.variants.filter((v) => v.operators[v.operators.length - 1] !== 'partition');
  const variants: VariantFigures[] = whole.map((v) => {
    const scenarios: Record<string, Cell> = {};
    for (const s of ['mobile', 'edge', 'cloud']) {
      const c = cell(v.id, s);
      if (c) scenarios[s] = c;
    }
    const computeMs: Record<string, number> = {};
    for (const m of run.measurements.filter((x) => x.variantId === v.id && x.part === 'whole')) computeMs[m.tier] = Number(m.p50Ms);
    return {
      chain: chainName(v.operators),
      variantId: v.id,
      sizeBytes: v.sizeBytes,
      accuracy: accuracyOf.get(v.id)?.value ?? null,
      scenarios,
      computeMs,
    };
  });
  const partitions: PartitionFigures[] = run.variants
    .filter((v) => v.operators[v.operators.length - 1] === 'partition')
    .flatMap((v) => {
      const scenario = `${v.params.from}|${v.params.to}`;
      const c = cell(v.id, scenario);
      return c
        ? [
            {
              chain: chainName(v.operators),
              source: chainName(v.operators.slice(0, -1)),
              scenario,
              cut: String(v.report?.cut ?? '?'),
              cutBytes: Number(v.report?.cutBytes ?? NaN),
              cell: c,
            },
          ]
        : [];
    });
  const methods = [...new Set(run.measurements.map((m) => `${m.tier}: ${m.method}, s = ${Number(m.slowdown).toFixed(2)}`))].sort();
  const share = (m: Record<string, any>) => Number(m.envelope?.interference?.foreignCpuShare ?? 0);
  const noisy = run.measurements.filter((m) => share(m) > INTERFERENCE_WARNING).sort((a, b) => share(b) - share(a));
  const nameOf = (id: string) => chainName(run.variants.find((v) => v.id === id)?.operators ?? []);
  const contaminated = {
    count: noisy.length,
    heavy: noisy.filter((m) => share(m) > INTERFERENCE_MARK).length,
    of: run.measurements.length,
    worst: noisy.slice(0, 5).map((m) => `${nameOf(m.variantId)} ${m.tier}/${m.part} ${(share(m) * 100).toFixed(0)}%`),
  };
  const baseline = whole.find((v) => v.operators.join() === 'identity');
  const baseAcc = baseline ? accuracyOf.get(baseline.id) : undefined;
  return {
    family,
    model,
    split,
    evalSamples: baseAcc?.n ?? 0,
    metric: baseAcc?.metric ?? '-',
    wallMs: run.observedDoneAt - run.submittedAt,
    requestBytes: baseAcc?.meanPayloadBytes ?? null,
    variants,
    partitions,
    methods,
    contaminated,
    recommendation: run.study.recommendation?.explanation ?? null,
    top: recs
      .filter((r) => r.rank !== null)
      .slice(0, 6)
      .map((r) => ({ rank: r.rank, name: r.details.shortName, p50Ms: Number(r.latencyMs), accuracy: r.accuracy })),
    crossovers: (run.report?.crossovers ?? run.study?.result?.crossovers ?? []) as Array<{ sentence: string }>,
    failures: run.study.failures ?? [],
  };
}

export const byChain = (f: FamilyFigures, chain: string) => f.variants.find((v) => v.chain === chain);
export const partitionOf = (f: FamilyFigures, source: string, scenario = 'mobile|edge') =>
  f.partitions.find((p) => p.source === source && p.scenario === scenario);
