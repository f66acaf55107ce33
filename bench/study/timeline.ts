/**
 * Where a study's wall time goes: child-process time (runner, build, evaluation) against time to recommendation,
 * and the rest split into BullMQ queue waits, in-job work outside the child, phase transitions (flow parents)
 * and moments when no child process ran at all.
 */
import type { JobTiming, StudyRun } from './run-study';

export interface Interval {
  kind: 'runner' | 'build' | 'evaluate';
  label: string;
  start: number;
  end: number;
}

export interface PhaseFigures {
  phase: string;
  jobs: number;
  windowMs: number;
  childMs: number;
  jobActiveMs: number;
  queueWaitMs: number;
  inJobNonChildMs: number;
}

export interface Transition {
  from: string;
  to: string;
  /** Last child of `from` finished → its flow parent (phase-done) started. */
  parentPickupMs: number;
  /** The phase-done handler itself (advance the study, enqueue the next flow). */
  parentRunMs: number;
  /** Next phase's first job created → started. */
  nextPickupMs: number;
  /** Last child of `from` finished → first child process of `to` started (the dead time). */
  deadMs: number;
}

export interface Breakdown {
  timeToRecommendationMs: number;
  serverMs: number;
  child: {
    runnerMs: number;
    runners: number;
    buildMs: number;
    builds: number;
    /** Build attempts whose child ran and failed: retries of a transient failure, and refusals. */
    failedBuildMs: number;
    failedBuilds: number;
    evaluateMs: number;
    evaluations: number;
    totalMs: number;
  };
  ratio: number;
  unionChildMs: number;
  noChildMs: number;
  overlapGainMs: number;
  submitToFirstJobMs: number;
  adviseMs: number;
  lastJobToObservedMs: number;
  phases: PhaseFigures[];
  transitions: Transition[];
  runner: { timedMs: number; warmupMs: number; coldStartMs: number; restMs: number; perChildRestMs: number; lockOrWaitInJobMs: number };
  evaluate: { jobActiveMs: number; childMeasuredMs: number; startupAndDatasetMs: number };
  gaps: Array<{ ms: number; after: string; before: string }>;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function phaseOf(job: JobTiming, partitions: Set<string>): string {
  if (job.name === 'build-variant') return partitions.has(job.variantId ?? '') ? 'partition' : 'build';
  if (job.name === 'bench-variant') return 'bench';
  if (job.name === 'evaluate-variant') return 'evaluate';
  if (job.name === 'advise-study') return 'advise';
  return `${job.phase}-done`;
}

/** Child-process intervals, reconstructed from where each child's result was stored and how long it ran. */
export function childIntervals(run: StudyRun): Interval[] {
  const name = (variantId: string) => run.variants.find((v) => v.id === variantId)?.operators.join('+') ?? variantId.slice(0, 6);
  const out: Interval[] = [];
  for (const m of run.measurements) {
    const end = Date.parse(m.createdAt);
    out.push({ kind: 'runner', label: `bench ${name(m.variantId)} ${m.tier}/${m.part}`, start: end - Number(m.envelope.wallMs), end });
  }
  for (const job of run.jobs.filter((j) => j.name === 'build-variant')) {
    const v = run.variants.find((x) => x.id === job.variantId);
    if (v?.buildWallMs)
      out.push({ kind: 'build', label: `build ${name(v.id)}`, start: job.finishedAt - v.buildWallMs, end: job.finishedAt });
  }
  for (const v of run.variants)
    for (const a of v.failedAttempts)
      out.push({ kind: 'build', label: `build ${name(v.id)} (failed: ${a.code})`, start: a.endedAt - a.wallMs, end: a.endedAt });
  for (const a of run.accuracy)
    if (a.durationMs !== null)
      out.push({ kind: 'evaluate', label: `evaluate ${name(a.variantId)}`, start: a.savedAt - a.durationMs, end: a.savedAt });
  return out.sort((a, b) => a.start - b.start);
}

function union(intervals: Array<{ start: number; end: number }>): number {
  let total = 0;
  let cursor = -Infinity;
  for (const i of [...intervals].sort((a, b) => a.start - b.start)) {
    const start = Math.max(i.start, cursor);
    if (i.end > start) total += i.end - start;
    cursor = Math.max(cursor, i.end);
  }
  return total;
}

export function breakdown(run: StudyRun): Breakdown {
  const start = run.submittedAt;
  const done = run.observedDoneAt;
  const partitions = new Set(run.variants.filter((v) => v.operators[v.operators.length - 1] === 'partition').map((v) => v.id));
  const children = childIntervals(run);
  const runnerMs = sum(run.measurements.map((m) => Number(m.envelope.wallMs)));
  const built = run.variants.filter((v) => v.buildWallMs !== null);
  const buildMs = sum(built.map((v) => v.buildWallMs!));
  const failed = run.variants.flatMap((v) => v.failedAttempts);
  const failedBuildMs = sum(failed.map((a) => a.wallMs));
  const evaluated = run.accuracy.filter((a) => a.durationMs !== null);
  const evaluateMs = sum(evaluated.map((a) => a.durationMs!));
  const totalMs = runnerMs + buildMs + failedBuildMs + evaluateMs;
  const ttr = done - start;
  const childOf = (job: JobTiming): number => {
    if (job.name === 'bench-variant')
      return Number(
        run.measurements.find((m) => m.variantId === job.variantId && m.tier === job.tier && m.part === job.part)?.envelope.wallMs ?? 0,
      );
    if (job.name === 'build-variant') {
      const v = run.variants.find((x) => x.id === job.variantId);
      return (v?.buildWallMs ?? 0) + sum((v?.failedAttempts ?? []).map((a) => a.wallMs));
    }
    if (job.name === 'evaluate-variant') return run.accuracy.find((a) => a.variantId === job.variantId)?.durationMs ?? 0;
    return 0;
  };

  const byPhase = new Map<string, JobTiming[]>();
  for (const job of run.jobs) byPhase.set(phaseOf(job, partitions), [...(byPhase.get(phaseOf(job, partitions)) ?? []), job]);
  const order = ['build', 'partition', 'bench', 'evaluate', 'advise'].filter((p) => byPhase.has(p));
  const phases: PhaseFigures[] = order.map((phase) => {
    const jobs = byPhase.get(phase)!;
    const doneJob = byPhase.get(`${phase}-done`)?.[0];
    const windowEnd = doneJob?.finishedAt ?? Math.max(...jobs.map((j) => j.finishedAt));
    const active = sum(jobs.map((j) => j.finishedAt - j.startedAt));
    const child = sum(jobs.map(childOf));
    return {
      phase,
      jobs: jobs.length,
      windowMs: windowEnd - Math.min(...jobs.map((j) => j.createdAt)),
      childMs: child,
      jobActiveMs: active,
      queueWaitMs: sum(jobs.map((j) => j.startedAt - j.createdAt)),
      inJobNonChildMs: active - child,
    };
  });

  const transitions: Transition[] = [];
  for (let i = 0; i + 1 < order.length; i++) {
    const from = byPhase.get(order[i]!)!;
    const next = byPhase.get(order[i + 1]!)!;
    const parent = byPhase.get(`${order[i]}-done`)?.[0];
    const lastFinished = Math.max(...from.map((j) => j.finishedAt));
    const firstNext = next.reduce((a, b) => (a.createdAt <= b.createdAt ? a : b));
    const kindOf: Record<string, Interval['kind'] | undefined> = {
      build: 'build',
      partition: 'build',
      bench: 'runner',
      evaluate: 'evaluate',
    };
    const nextKind = kindOf[order[i + 1]!];
    const firstChild = nextKind
      ? Math.min(...children.filter((c) => c.kind === nextKind && c.start >= lastFinished - 1).map((c) => c.start))
      : firstNext.startedAt;
    transitions.push({
      from: order[i]!,
      to: order[i + 1]!,
      parentPickupMs: parent ? parent.startedAt - lastFinished : NaN,
      parentRunMs: parent ? parent.finishedAt - parent.startedAt : NaN,
      nextPickupMs: firstNext.startedAt - firstNext.createdAt,
      deadMs: Math.round((Number.isFinite(firstChild) ? firstChild : firstNext.startedAt) - lastFinished),
    });
  }

  const effort = run.study.effort as { warmup: number; runs: number };
  const timedMs = sum(run.measurements.map((m) => sum((m.samplesRawMs as number[]) ?? [])));
  const warmupMs = sum(run.measurements.map((m) => effort.warmup * Number(m.envelope.raw?.mean ?? 0)));
  const coldStartMs = sum(run.measurements.map((m) => Number(m.coldStartMs)));
  const benchJobs = byPhase.get('bench') ?? [];
  const evalJobs = byPhase.get('evaluate') ?? [];
  const unionChildMs = union(children);
  const gaps: Breakdown['gaps'] = [];
  let cursor = { end: start, label: 'POST /v1/studies' };
  for (const c of children) {
    if (c.start > cursor.end) gaps.push({ ms: Math.round(c.start - cursor.end), after: cursor.label, before: c.label });
    if (c.end > cursor.end) cursor = { end: c.end, label: c.label };
  }
  if (done > cursor.end) gaps.push({ ms: Math.round(done - cursor.end), after: cursor.label, before: 'study seen completed' });
  const firstJob = Math.min(...run.jobs.map((j) => j.createdAt));
  const advise = byPhase.get('advise')?.[0];
  return {
    timeToRecommendationMs: ttr,
    serverMs: Date.parse(run.study.finishedAt) - Date.parse(run.study.createdAt),
    child: {
      runnerMs,
      runners: run.measurements.length,
      buildMs,
      builds: built.length,
      failedBuildMs,
      failedBuilds: failed.length,
      evaluateMs,
      evaluations: evaluated.length,
      totalMs,
    },
    ratio: ttr / totalMs,
    unionChildMs,
    noChildMs: ttr - unionChildMs,
    overlapGainMs: totalMs - unionChildMs,
    submitToFirstJobMs: firstJob - start,
    adviseMs: advise ? advise.finishedAt - advise.startedAt : NaN,
    lastJobToObservedMs: done - Math.max(...run.jobs.map((j) => j.finishedAt)),
    phases,
    transitions,
    runner: {
      timedMs,
      warmupMs,
      coldStartMs,
      restMs: runnerMs - timedMs - warmupMs - coldStartMs,
      perChildRestMs: (runnerMs - timedMs - warmupMs - coldStartMs) / Math.max(1, run.measurements.length),
      lockOrWaitInJobMs: sum(benchJobs.map((j) => j.finishedAt - j.startedAt - childOf(j))),
    },
    evaluate: {
      jobActiveMs: sum(evalJobs.map((j) => j.finishedAt - j.startedAt)),
      childMeasuredMs: evaluateMs,
      startupAndDatasetMs: sum(evalJobs.map((j) => j.finishedAt - j.startedAt)) - evaluateMs,
    },
    gaps: gaps.sort((a, b) => b.ms - a.ms),
  };
}
