/**
 * Shared by bench/study and bench/reproduction: starts the api and an in-process worker on an isolated queue
 * prefix and blob directory, uploads a fixture family, runs one study through the REST API and collects
 * everything the benches report: the study, its recommendations and measurements, per-variant build and
 * evaluation child times (from Postgres) and every BullMQ job's timestamps (from Redis).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import * as tar from 'tar';
import { ensureDatabase, migrate } from '../../src/cli/database';
import { isTerminal } from '../../src/studies/study-status';
import { QueuesService } from '../../src/jobs/queues.service';
import { PrismaService } from '../../src/prisma/prisma.service';
import { ALL_QUEUES, fixtures, isolateEnvironment, startApi, startWorker, type Api } from '../../test/support/harness';
import { failedAttemptsOf, type FailedAttempt } from '../../src/studies/variants.repository';

export { ALL_QUEUES };
export type Auth = { Authorization: string };
export type Family = 'image' | 'text';

export interface Stack {
  api: Api;
  worker: INestApplicationContext;
  auth: Auth;
  close(): Promise<void>;
}

/**
 * A database of the benches' own (created and migrated when missing). Not the shared test database: a `worker`
 * process of a concurrent test run starts the StudyReconciler, which re-enqueues every unfinished study it finds
 * in its database onto its own queue prefix, so its worker would run this study's jobs too (with its own blob
 * directory: ENOENT failures, and foreign results saved on this study).
 */
async function prepareDatabase(): Promise<void> {
  process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/tierwise_bench';
  await ensureDatabase(process.env.DATABASE_URL);
  migrate(process.env.DATABASE_URL);
}

/** The api and one worker consuming every queue, in this process, as `npm test` runs them. */
export async function startStack(): Promise<Stack> {
  await prepareDatabase();
  process.env.LOG_LEVEL ??= 'error';
  // runStudy polls every 50 ms: a study of minutes (ISNet) would pass the default per-key rate limit.
  process.env.RATE_LIMIT_REQUESTS ??= '1000000';
  isolateEnvironment();
  const api = await startApi();
  const worker = await startWorker({ queues: ALL_QUEUES });
  const { auth } = await api.newTeam();
  return {
    api,
    worker,
    auth,
    async close() {
      await worker.close();
      await api.close();
    },
  };
}

const FAMILY_MODEL: Record<Family, string> = { image: 'fashion-resnet', text: 'sentiment-bert' };

async function tarball(cwd: string, entries: string[], name: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'tierwise-bench-')), name);
  tar.c({ sync: true, gzip: true, cwd, file, portable: true }, entries);
  return file;
}

/**
 * Uploads a family's teacher, its white-box variants and an evaluation set: for images the `split` folder with
 * preprocess.json, for text an archive of `<split>.jsonl` + vocab.txt (the dataset finds the vocabulary beside it).
 */
export async function uploadFamily(
  api: Api,
  auth: Auth,
  family: Family,
  split: string,
  variants = ['distilled', 'qat', 'pruned'],
): Promise<{ modelId: string; datasetId: string }> {
  const name = FAMILY_MODEL[family];
  const model = await api.http
    .post('/v1/models')
    .set(auth)
    .field('name', name)
    .attach('file', fixtures(`${name}/models/${name}-identity.onnx`))
    .expect(201);
  for (const operator of variants) {
    await api.http
      .post(`/v1/models/${model.body.id}/variants`)
      .set(auth)
      .field('operator', operator)
      .attach('file', fixtures(`${name}/models/${name}-${operator}.onnx`))
      .expect(201);
  }
  let dataset;
  if (family === 'image') {
    const archive = await tarball(fixtures(name), [split], `${split}.tar.gz`);
    dataset = await api.http
      .post('/v1/datasets')
      .set(auth)
      .field('preprocess', readFileSync(fixtures(name, 'preprocess.json'), 'utf8'))
      .attach('file', archive)
      .expect(201);
  } else {
    const work = mkdtempSync(join(tmpdir(), 'tierwise-bench-text-'));
    mkdirSync(join(work, 'text'));
    copyFileSync(fixtures(name, `${split}.jsonl`), join(work, 'text', `${split}.jsonl`));
    copyFileSync(fixtures(name, 'vocab.txt'), join(work, 'text', 'vocab.txt'));
    dataset = await api.http
      .post('/v1/datasets')
      .set(auth)
      .attach('file', await tarball(work, ['text'], 'text.tar.gz'))
      .expect(201);
  }
  return { modelId: model.body.id, datasetId: dataset.body.id };
}

export interface JobTiming {
  queue: string;
  name: string;
  id: string;
  variantId?: string;
  tier?: string;
  part?: string;
  phase?: string;
  attempts: number;
  failed: boolean;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
}

export interface StudyRun {
  study: Record<string, any>;
  submittedAt: number;
  /** When the client saw the study completed (polled every 50 ms). */
  observedDoneAt: number;
  recommendations: Array<Record<string, any>>;
  measurements: Array<Record<string, any>>;
  accuracy: Array<{
    variantId: string;
    value: number;
    n: number;
    ciLow: number | null;
    ciHigh: number | null;
    durationMs: number | null;
    metric: string;
    savedAt: number;
    meanPayloadBytes: number | null;
  }>;
  variants: Array<{
    id: string;
    operators: string[];
    params: Record<string, unknown>;
    origin: string;
    sizeBytes: number | null;
    buildWallMs: number | null;
    /** Build attempts whose child ran and failed (retried, or the variant's refusal). */
    failedAttempts: FailedAttempt[];
    status: string;
    error: string | null;
    inputShapes: unknown;
    report: Record<string, unknown> | null;
  }>;
  jobs: JobTiming[];
  report: Record<string, any>;
  statusTrail: Array<{ at: number; status: string; phase: string | null; jobsDone: number }>;
}

/** Submits a study and polls it every 50 ms until it ends, then gathers its results, child times and job timings. */
export async function runStudy(stack: Stack, body: Record<string, unknown>, timeoutMs = 15 * 60_000): Promise<StudyRun> {
  const { api, auth } = stack;
  const submittedAt = Date.now();
  const created = await api.http.post('/v1/studies').set(auth).send(body).expect(202);
  const id = created.body.id as string;
  const statusTrail: StudyRun['statusTrail'] = [];
  let study: Record<string, any>;
  for (;;) {
    study = (await api.http.get(`/v1/studies/${id}`).set(auth).expect(200)).body;
    const last = statusTrail[statusTrail.length - 1];
    if (!last || last.status !== study.status || last.phase !== study.phase)
      statusTrail.push({ at: Date.now(), status: study.status, phase: study.phase, jobsDone: study.jobsDone });
    if (isTerminal(study.status)) break;
    if (Date.now() - submittedAt > timeoutMs) throw new Error(`study ${id} still ${study.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const observedDoneAt = Date.now();
  const get = async (path: string) => (await api.http.get(`/v1/studies/${id}${path}`).set(auth).expect(200)).body;
  const [recommendations, measurements, report] = await Promise.all([
    get('/recommendations'),
    get('/measurements?samples=true'),
    get('/report?format=json'),
  ]);
  const prisma = api.app.get(PrismaService);
  const variantRows = await prisma.variant.findMany({ where: { id: { in: study.variantIds as string[] } } });
  const accuracyRows = await prisma.accuracyResult.findMany({ where: { studyId: id } });
  return {
    study,
    submittedAt,
    observedDoneAt,
    recommendations,
    measurements,
    report,
    statusTrail,
    variants: variantRows.map((v) => {
      const rep = (v.report ?? null) as Record<string, unknown> | null;
      return {
        id: v.id,
        operators: v.operators,
        params: (v.params ?? {}) as Record<string, unknown>,
        origin: v.origin,
        status: v.status,
        error: v.error,
        inputShapes: v.inputShapes,
        sizeBytes: v.sizeBytes === null ? null : Number(v.sizeBytes),
        buildWallMs: typeof rep?.buildWallMs === 'number' ? rep.buildWallMs : null,
        failedAttempts: failedAttemptsOf(rep),
        report: rep,
      };
    }),
    accuracy: accuracyRows.map((a) => ({
      variantId: a.variantId,
      value: a.value,
      n: a.n,
      ciLow: a.ciLow,
      ciHigh: a.ciHigh,
      metric: a.metric,
      savedAt: a.createdAt.getTime(),
      durationMs: payloadOf(a.payload).durationMs ?? null,
      meanPayloadBytes: payloadOf(a.payload).meanPayloadBytes ?? null,
    })),
    jobs: await jobTimings(stack.api, id),
  };
}

const payloadOf = (payload: unknown) => (payload ?? {}) as { durationMs?: number; meanPayloadBytes?: number };

/** Every BullMQ job of the study still held in Redis (completed and failed jobs are kept), with its timestamps. */
async function jobTimings(api: Api, studyId: string): Promise<JobTiming[]> {
  const queues = api.app.get(QueuesService);
  const out: JobTiming[] = [];
  for (const name of ALL_QUEUES) {
    const jobs = await queues.queue(name).getJobs(['completed', 'failed'], 0, -1);
    for (const job of jobs) {
      const data = job.data as { studyId?: string; variantId?: string; tier?: string; part?: string; phase?: string };
      if (data.studyId !== studyId || !job.processedOn || !job.finishedOn) continue;
      out.push({
        queue: name,
        name: job.name,
        id: String(job.id),
        variantId: data.variantId,
        tier: data.tier,
        part: data.part,
        phase: data.phase,
        attempts: job.attemptsMade,
        failed: Boolean(job.failedReason),
        createdAt: job.timestamp,
        startedAt: job.processedOn,
        finishedAt: job.finishedOn,
      });
    }
  }
  return out.sort((a, b) => a.startedAt - b.startedAt);
}

/** `distilled+sptq` for a chain; the paper's names for the chains it studied. */
export function chainName(operators: string[]): string {
  return operators.filter((o) => o !== 'identity').join('+') || 'identity';
}
