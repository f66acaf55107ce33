import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as tar from 'tar';
import { fixtures, isolateEnvironment, useStack } from './support/harness';
import { uploadImageFamily, waitForStudy } from './support/studies';

isolateEnvironment();
const detector = 'shapes-detector';
const reference = JSON.parse(readFileSync(fixtures(`${detector}/reference.json`), 'utf8')) as { map50: number; map5095: number };

function packed(folder: string): string {
  const archive = join(mkdtempSync(join(tmpdir(), 'tierwise-tasks-')), 'eval.tar.gz');
  tar.c({ sync: true, gzip: true, cwd: fixtures(folder), file: archive, portable: true }, ['eval-100']);
  return archive;
}

describe('tasks: a detector with its labelled set, end to end', () => {
  const stack = useStack();
  let modelId: string;
  let datasetId: string;

  test('the task is guessed at upload, and set by PATCH and GraphQL with the postprocess validated', async () => {
    const uploaded = await stack.api.http
      .post('/v1/models')
      .set(stack.auth)
      .field('name', detector)
      .attach('file', fixtures(`${detector}/models/${detector}.onnx`))
      .expect(201);
    modelId = uploaded.body.id;
    assert.equal(uploaded.body.task, 'detection');
    assert.equal(uploaded.body.taskGuessed, true);
    assert.equal(uploaded.body.postprocess.format, 'yolov8');
    assert.equal(uploaded.body.postprocess.iouThreshold, 0.6);

    const bad = await stack.api.http
      .patch(`/v1/models/${modelId}`)
      .set(stack.auth)
      .send({ task: 'detection', postprocess: { iouThreshold: 3 } })
      .expect(422);
    assert.equal(bad.body.error.code, 'POSTPROCESS_INVALID');
    assert.match(bad.body.error.message, /iouThreshold/);
    const unknown = await stack.api.http.patch(`/v1/models/${modelId}`).set(stack.auth).send({ task: 'teleportation' });
    assert.equal(unknown.status, 400);

    const postprocess = JSON.parse(readFileSync(fixtures(`${detector}/postprocess.json`), 'utf8')) as Record<string, unknown>;
    const set = await stack.api.http.patch(`/v1/models/${modelId}`).set(stack.auth).send({ task: 'detection', postprocess }).expect(200);
    assert.equal(set.body.taskGuessed, false);
    assert.equal(set.body.postprocess.mapping, 'resize');
    assert.equal(set.body.postprocess.maxDetections, 100);

    const gql = await stack.api.http
      .post('/graphql')
      .set(stack.auth)
      .send({
        query: 'mutation($id: ID!, $input: SetModelTaskInput!) { setModelTask(id: $id, input: $input) { task taskGuessed postprocess } }',
        variables: { id: modelId, input: { task: 'detection', postprocess } },
      })
      .expect(200);
    assert.equal(gql.body.data?.setModelTask?.task, 'detection', JSON.stringify(gql.body));
  });

  test('a COCO-labelled dataset uploads; a classifier refuses it and the detector refuses class folders (DATASET_MISMATCH)', async () => {
    const dataset = await stack.api.http
      .post('/v1/datasets')
      .set(stack.auth)
      .field('preprocess', readFileSync(fixtures(`${detector}/preprocess.json`), 'utf8'))
      .attach('file', packed(detector))
      .expect(201);
    datasetId = dataset.body.id;
    assert.equal(dataset.body.sampleCount, 100);

    const family = await uploadImageFamily(stack.api, stack.auth, []);
    const wrongForClassifier = await stack.api.http
      .post('/v1/studies')
      .set(stack.auth)
      .send({ modelId: family.modelId, datasetId, tiers: ['edge'], scenarios: ['edge'], operators: ['identity'] });
    assert.equal(wrongForClassifier.status, 422, JSON.stringify(wrongForClassifier.body));
    assert.equal(wrongForClassifier.body.error.code, 'DATASET_MISMATCH');
    assert.match(wrongForClassifier.body.error.message, /detection labels/);

    const wrongForDetector = await stack.api.http
      .post('/v1/studies')
      .set(stack.auth)
      .send({ modelId, datasetId: family.datasetId, tiers: ['edge'], scenarios: ['edge'], operators: ['identity'] });
    assert.ok(wrongForDetector.status >= 400 && wrongForDetector.status < 500, JSON.stringify(wrongForDetector.body));
    assert.equal(wrongForDetector.body.error.code, 'DATASET_MISMATCH');
  });

  test('a full study ranks the variants by mAP@0.5 drop and names the metric', async (t) => {
    const created = await stack.api.http
      .post('/v1/studies')
      .set(stack.auth)
      .send({
        modelId,
        datasetId,
        tiers: ['edge'],
        scenarios: ['edge'],
        operators: ['identity', 'sptq', 'dynamic-int8'],
        constraints: { maxAccuracyDrop: 2, minFidelity: 0.5 },
        effort: { warmup: 2, runs: 10 },
      })
      .expect(202);
    const study = await waitForStudy(stack.api, stack.auth, created.body.id, 600_000);
    assert.equal(study.status, 'completed', JSON.stringify(study));
    const recs = (await stack.api.http.get(`/v1/studies/${study.id}/recommendations`).set(stack.auth).expect(200)).body as Array<
      Record<string, any>
    >;
    const baseline = recs.find((r) => r.details.operators.join() === 'identity')!;
    for (const r of recs)
      t.diagnostic(
        `${r.details.shortName}: mAP@0.5 ${Number(r.accuracy).toFixed(2)} drop ${Number(r.details.accuracyDrop).toFixed(2)} ${r.feasible ? `rank ${r.rank}` : 'infeasible'}`,
      );
    // the baseline's mAP@0.5 in points, as tierwise eval and pycocotools give it
    assert.ok(Math.abs(baseline.accuracy - reference.map50 * 100) < 0.5, `baseline mAP@0.5 ${baseline.accuracy}`);
    assert.ok(recs.length >= 2);
    for (const r of recs) {
      assert.equal(typeof r.accuracy, 'number', `${r.details.shortName} has an accuracy`);
      assert.ok(Math.abs(r.details.accuracyDrop - (baseline.accuracy - r.accuracy)) < 1e-9);
      if (r.feasible) assert.ok(r.details.accuracyDrop <= 2 + 1e-9, `${r.details.shortName} drop ${r.details.accuracyDrop}`);
      else assert.ok(r.violations.length > 0);
    }
    // minFidelity with labels: every variant was also scored against the baseline's boxes, so none is refused for
    // a fidelity it lacks (actual null), and one below the floor names its figure.
    for (const r of recs)
      for (const v of r.violations.filter((x: { constraint: string }) => x.constraint === 'minFidelity')) {
        assert.equal(typeof v.actual, 'number', `${r.details.shortName} has a fidelity`);
        assert.ok(v.actual < 0.5);
      }
    const report = (await stack.api.http.get(`/v1/studies/${study.id}/report?format=json`).set(stack.auth).expect(200)).body as Record<
      string,
      any
    >;
    assert.equal(report.accuracyMetric, 'mAP@0.5');
    const tooHigh = await stack.api.http
      .post('/v1/studies')
      .set(stack.auth)
      .send({ modelId, datasetId, tiers: ['edge'], scenarios: ['edge'], operators: ['identity'], constraints: { minFidelity: 1.5 } });
    assert.equal(tooHigh.status, 400);
    assert.match(tooHigh.body.error.message, /minFidelity/);
  });
});

describe('tasks: a regression head with its targets, end to end', () => {
  const stack = useStack();

  test('a tensors dataset with targets uploads as labelled values; a study on a regression model ranks by R² drop', async () => {
    const model = await stack.api.http
      .post('/v1/models')
      .set(stack.auth)
      .field('name', 'linear-regression')
      .attach('file', fixtures('linear-heads/models/linear-regression.onnx'))
      .expect(201);
    await stack.api.http.patch(`/v1/models/${model.body.id}`).set(stack.auth).send({ task: 'regression' }).expect(200);
    const dataset = await stack.api.http
      .post('/v1/datasets')
      .set(stack.auth)
      .attach('file', fixtures('linear-heads/eval-regression.json'))
      .expect(201);
    assert.equal(dataset.body.labelled, true);
    const created = await stack.api.http
      .post('/v1/studies')
      .set(stack.auth)
      .send({
        modelId: model.body.id,
        datasetId: dataset.body.id,
        tiers: ['edge'],
        scenarios: ['edge'],
        operators: ['identity', 'dynamic-int8'],
        constraints: { maxAccuracyDrop: 1 },
        effort: { warmup: 2, runs: 10 },
      })
      .expect(202);
    const study = await waitForStudy(stack.api, stack.auth, created.body.id);
    assert.equal(study.status, 'completed', JSON.stringify(study));
    const report = (await stack.api.http.get(`/v1/studies/${study.id}/report?format=json`).set(stack.auth).expect(200)).body as Record<
      string,
      any
    >;
    assert.equal(report.accuracyMetric, 'R²');
    const reference = JSON.parse(readFileSync(fixtures('linear-heads/reference.json'), 'utf8')) as { regression: { r2: number } };
    const recs = (await stack.api.http.get(`/v1/studies/${study.id}/recommendations`).set(stack.auth).expect(200)).body as Array<
      Record<string, any>
    >;
    const baseline = recs.find((r) => r.details.operators.join() === 'identity')!;
    assert.ok(Math.abs(baseline.accuracy - reference.regression.r2 * 100) < 1e-3, `baseline R² ${baseline.accuracy}`);
  });
});
