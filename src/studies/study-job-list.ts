/**
 * Every job of a study with where it stands, read from what the jobs leave in Postgres: a variant's build status,
 * a stored measurement or accuracy, a failure. Pure: the dashboard's live view lists it, the flow uses benchTargets.
 */
import { isTerminal } from './study-status';
import type { StudyFailure, StudyStatus } from './study.views';

export type StudyJobPhase = 'build' | 'bench' | 'evaluate' | 'advise';
/** planned: its phase has not started; queued: its phase runs and it has not finished; skipped: the study ended first. */
export type StudyJobState = 'planned' | 'queued' | 'running' | 'done' | 'failed' | 'skipped';

export interface StudyJobView {
  phase: StudyJobPhase;
  /** The name failures carry: `build`, `bench whole`, `bench head`, `evaluate`, `advise`. */
  job: string;
  variantId?: string;
  tier?: string;
  part?: 'whole' | 'head' | 'tail';
  state: StudyJobState;
  /** The failure's code when state is failed. */
  code?: string;
}

export interface JobListVariant {
  id: string;
  origin: 'uploaded' | 'built';
  operators: string[];
  params: Record<string, unknown>;
  status: 'pending' | 'building' | 'ready' | 'failed';
}

export interface JobListSources {
  study: { status: StudyStatus; tiers: string[]; scenarios: string[]; datasetId: string | null; failures: StudyFailure[] };
  variants: JobListVariant[];
  measured: Array<{ variantId: string; tier: string; part: string }>;
  evaluated: string[];
}

export function isPartitionVariant(variant: Pick<JobListVariant, 'operators'>): boolean {
  return variant.operators[variant.operators.length - 1] === 'partition';
}

/** Where a variant is measured: a partition's head and tail on its two tiers, any other variant whole on each device tier. */
export function benchTargets(
  study: { tiers: string[]; scenarios: string[] },
  variant: Pick<JobListVariant, 'operators' | 'params'>,
): Array<{ tier: string; part: 'whole' | 'head' | 'tail' }> {
  if (isPartitionVariant(variant))
    return [
      { tier: String(variant.params.from), part: 'head' },
      { tier: String(variant.params.to), part: 'tail' },
    ];
  return study.tiers.filter((t) => study.scenarios.includes(t)).map((tier) => ({ tier, part: 'whole' as const }));
}

/** The order the phases run in, and the statuses during which each phase's jobs are queued. */
const PHASE_STATUS: Record<StudyJobPhase, StudyStatus> = {
  build: 'building',
  bench: 'benchmarking',
  evaluate: 'evaluating',
  advise: 'ranking',
};
const ORDER: StudyStatus[] = ['queued', 'building', 'benchmarking', 'evaluating', 'ranking', 'completed'];

export function studyJobList({ study, variants, measured, evaluated }: JobListSources): StudyJobView[] {
  const reached = (phase: StudyJobPhase) =>
    study.status === 'completed' || ORDER.indexOf(study.status) >= ORDER.indexOf(PHASE_STATUS[phase]);
  const ended = isTerminal(study.status);
  const failureOf = (job: string, variantId?: string, tier?: string) =>
    study.failures.find(
      (f) => f.job === job && (variantId === undefined || f.variantId === variantId) && (tier === undefined || f.tier === tier),
    );
  const unfinished = (phase: StudyJobPhase): StudyJobState =>
    ended ? (study.status === 'completed' ? 'done' : 'skipped') : reached(phase) ? 'queued' : 'planned';
  const settle = (
    phase: StudyJobPhase,
    job: string,
    finished: boolean,
    variantId?: string,
    tier?: string,
  ): Pick<StudyJobView, 'state' | 'code'> => {
    const failure = failureOf(job, variantId, tier);
    if (failure) return { state: 'failed', code: failure.code };
    return { state: finished ? 'done' : unfinished(phase) };
  };

  const jobs: StudyJobView[] = [];
  for (const v of variants.filter((x) => x.origin === 'built')) {
    const state: StudyJobState =
      v.status === 'ready' ? 'done' : v.status === 'building' ? 'running' : v.status === 'failed' ? 'failed' : unfinished('build');
    const failure = failureOf('build', v.id);
    jobs.push({
      phase: 'build',
      job: 'build',
      variantId: v.id,
      state: failure ? 'failed' : state,
      ...(failure ? { code: failure.code } : {}),
    });
  }
  const usable = variants.filter((v) => v.status !== 'failed');
  const isMeasured = (variantId: string, tier: string, part: string) =>
    measured.some((m) => m.variantId === variantId && m.tier === tier && m.part === part);
  for (const v of usable) {
    for (const t of benchTargets(study, v)) {
      const job = `bench ${t.part}`;
      jobs.push({
        phase: 'bench',
        job,
        variantId: v.id,
        tier: t.tier,
        part: t.part,
        ...settle('bench', job, isMeasured(v.id, t.tier, t.part), v.id, t.tier),
      });
    }
  }
  if (study.datasetId) {
    for (const v of usable.filter((x) => !isPartitionVariant(x))) {
      jobs.push({ phase: 'evaluate', job: 'evaluate', variantId: v.id, ...settle('evaluate', 'evaluate', evaluated.includes(v.id), v.id) });
    }
  }
  jobs.push({
    phase: 'advise',
    job: 'advise',
    state: study.status === 'completed' ? 'done' : study.status === 'ranking' ? 'running' : unfinished('advise'),
  });
  return jobs;
}
