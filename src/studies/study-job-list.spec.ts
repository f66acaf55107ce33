import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { benchTargets, studyJobList, type JobListSources } from './study-job-list';

const study = (status: JobListSources['study']['status'], failures: JobListSources['study']['failures'] = []): JobListSources['study'] => ({
  status,
  tiers: ['mobile', 'edge', 'cloud'],
  scenarios: ['mobile', 'edge', 'mobile|edge'],
  datasetId: 'd1',
  failures,
});
const variants: JobListSources['variants'] = [
  { id: 'base', origin: 'uploaded', operators: ['identity'], params: {}, status: 'ready' },
  { id: 'q', origin: 'built', operators: ['sptq'], params: {}, status: 'ready' },
  { id: 'p', origin: 'built', operators: ['partition'], params: { from: 'mobile', to: 'edge' }, status: 'pending' },
];

describe('study job list', () => {
  test('a partition is measured head and tail; other variants whole on each device tier in the scenarios', () => {
    assert.deepEqual(benchTargets(study('queued'), variants[2]), [
      { tier: 'mobile', part: 'head' },
      { tier: 'edge', part: 'tail' },
    ]);
    assert.deepEqual(benchTargets(study('queued'), variants[0]), [
      { tier: 'mobile', part: 'whole' },
      { tier: 'edge', part: 'whole' },
    ]);
  });

  test('while benchmarking: builds done, measured jobs done, failed ones with their code, the rest queued or planned', () => {
    const jobs = studyJobList({
      study: study('benchmarking', [{ job: 'bench whole', variantId: 'q', tier: 'edge', code: 'RUNNER_OOM', message: 'x', at: 'now' }]),
      variants: variants.map((v) => ({ ...v, status: 'ready' as const })),
      measured: [{ variantId: 'base', tier: 'mobile', part: 'whole' }],
      evaluated: [],
    });
    const row = (job: string, variantId?: string, tier?: string) =>
      jobs.find((j) => j.job === job && j.variantId === variantId && j.tier === tier);
    assert.deepEqual(
      jobs.filter((j) => j.phase === 'build').map((j) => [j.variantId, j.state]),
      [
        ['q', 'done'],
        ['p', 'done'],
      ],
    );
    assert.equal(row('bench whole', 'base', 'mobile')?.state, 'done');
    assert.deepEqual(
      { ...row('bench whole', 'q', 'edge') },
      { phase: 'bench', job: 'bench whole', variantId: 'q', tier: 'edge', part: 'whole', state: 'failed', code: 'RUNNER_OOM' },
    );
    assert.equal(row('bench head', 'p', 'mobile')?.state, 'queued');
    assert.deepEqual(
      jobs.filter((j) => j.phase === 'evaluate').map((j) => [j.variantId, j.state]),
      [
        ['base', 'planned'],
        ['q', 'planned'],
      ],
    );
    assert.equal(jobs.at(-1)?.state, 'planned');
    assert.equal(jobs.length, 2 + 6 + 2 + 1);
  });

  test('a failed build drops its variant’s measurements; a cancelled study skips what never ran', () => {
    const jobs = studyJobList({
      study: study('cancelled', [{ job: 'build', variantId: 'p', code: 'BUILD_FAILED', message: 'x', at: 'now' }]),
      variants: variants.map((v) => (v.id === 'p' ? { ...v, status: 'failed' as const } : v)),
      measured: [],
      evaluated: ['base'],
    });
    assert.deepEqual(
      jobs.find((j) => j.variantId === 'p'),
      { phase: 'build', job: 'build', variantId: 'p', state: 'failed', code: 'BUILD_FAILED' },
    );
    assert.equal(jobs.filter((j) => j.variantId === 'p').length, 1);
    assert.deepEqual([...new Set(jobs.filter((j) => j.phase === 'bench').map((j) => j.state))], ['skipped']);
    assert.equal(jobs.find((j) => j.phase === 'evaluate' && j.variantId === 'base')?.state, 'done');
  });
});
