import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { isTerminal } from '../../src/studies/study-status';
import type { Api } from './harness';
import { fixtures } from './harness';

/** Uploads the image teacher with its distilled student and the eval-100 split; returns their ids. */
export async function uploadImageFamily(
  api: Api,
  auth: { Authorization: string },
  variants: string[] = ['distilled'],
): Promise<{ modelId: string; datasetId: string }> {
  const model = await api.http
    .post('/v1/models')
    .set(auth)
    .field('name', 'fashion-resnet')
    .attach('file', fixtures('fashion-resnet/models/fashion-resnet-identity.onnx'))
    .expect(201);
  for (const operator of variants) {
    await api.http
      .post(`/v1/models/${model.body.id}/variants`)
      .set(auth)
      .field('operator', operator)
      .attach('file', fixtures(`fashion-resnet/models/fashion-resnet-${operator}.onnx`))
      .expect(201);
  }
  const archive = join(mkdtempSync(join(tmpdir(), 'tierwise-study-')), 'eval-100.tar.gz');
  tar.c({ sync: true, gzip: true, cwd: fixtures('fashion-resnet'), file: archive, portable: true }, ['eval-100']);
  const dataset = await api.http
    .post('/v1/datasets')
    .set(auth)
    .field('preprocess', readFileSync(fixtures('fashion-resnet/preprocess.json'), 'utf8'))
    .attach('file', archive)
    .expect(201);
  return { modelId: model.body.id, datasetId: dataset.body.id };
}

/** Polls a study until it ends (or the deadline passes) and returns its final view. */
export async function waitForStudy(
  api: Api,
  auth: { Authorization: string },
  id: string,
  timeoutMs = 300_000,
): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.http.get(`/v1/studies/${id}`).set(auth).expect(200);
    if (isTerminal(res.body.status)) return res.body;
    if (Date.now() > deadline)
      throw new Error(
        `study ${id} still ${res.body.status} (${res.body.phase}) after ${timeoutMs} ms: ${JSON.stringify(res.body.failures)}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}
