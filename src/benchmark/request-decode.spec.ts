import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../common/paths';
import { imageToTensor } from '../datasets/formats/image-preprocess';
import { parsePreprocess, type ImagePreprocessSpec } from '../datasets/formats/preprocess-spec';
import { jsonBase64Body } from '../netlab/json-base64';
import { decodeRequest, measureRequestDecode, requestDecodeCost, singleThreadScale, type RequestDecoding } from './request-decode';
import { defaultTiers } from './tiers';

const fashion = join(repoRoot(), 'test/fixtures/fashion-resnet');
const spec = parsePreprocess(JSON.parse(readFileSync(join(fashion, 'preprocess.json'), 'utf8')), fashion) as ImagePreprocessSpec;
const coats = join(fashion, 'calib-200/Coat');
const pngs = readdirSync(coats)
  .slice(0, 4)
  .map((name) => readFileSync(join(coats, name)));

describe('reading a client request on the answering tier', () => {
  test('an encoded image, bare or in JSON/base64, decodes to the tensor the dataset loader makes', async () => {
    const expected = await imageToTensor(pngs[0]!, spec, 'dataset');
    const image: RequestDecoding = { kind: 'image', inputName: 'input', spec };
    for (const [decoding, body] of [
      [image, pngs[0]!],
      [{ ...image, json: true }, jsonBase64Body(pngs[0]!)],
    ] as const) {
      const { input } = await decodeRequest(body, decoding);
      assert.deepEqual(input!.dims, [1, 1, 32, 32]);
      assert.deepEqual(Array.from(input!.data as Float32Array), Array.from(expected.data as Float32Array));
    }
  });

  test('raw tensors back to back are split by the declared inputs; a short body is refused', async () => {
    const a = Float32Array.from([1, 2, 3, 4]);
    const b = BigInt64Array.from([7n, 8n]);
    const body = Buffer.concat([Buffer.from(a.buffer), Buffer.from(b.buffer)]);
    const decoding: RequestDecoding = {
      kind: 'raw',
      inputs: [
        { name: 'x', type: 'float32', dims: [1, 4] },
        { name: 'ids', type: 'int64', dims: [1, 2] },
      ],
    };
    const out = await decodeRequest(body, decoding);
    assert.deepEqual(Array.from(out.x!.data as Float32Array), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(out.ids!.data as BigInt64Array), [7n, 8n]);
    await assert.rejects(decodeRequest(body.subarray(0, 10), decoding), /shorter than the input tensors/);
  });

  test('the measured decode is a median over every body and round, scaled per tier by its one-thread speed', async () => {
    const measured = await measureRequestDecode(pngs, { kind: 'image', inputName: 'input', spec }, 2);
    assert.equal(measured.samplesMs.length, 8);
    assert.ok(measured.p50Ms > 0 && measured.samplesMs.every((ms) => ms > 0));
    const sorted = [...measured.samplesMs].sort((x, y) => x - y);
    assert.equal(measured.p50Ms, (sorted[3]! + sorted[4]!) / 2);

    // On 2 host cores: mobile has 0.5 CPU (one thread runs at half speed), edge 1, cloud 2 (one thread: 1).
    const tiers = defaultTiers(2);
    assert.deepEqual([singleThreadScale(tiers.mobile!), singleThreadScale(tiers.edge!), singleThreadScale(tiers.cloud!)], [2, 1, 1]);
    assert.equal(singleThreadScale({ cpus: 4, coreSpeed: 0.25 }), 4);
    const cost = requestDecodeCost('encoded', { request: measured, sample: { p50Ms: 0.5 } }, tiers, 'how');
    assert.equal(cost.status, 'measured');
    if (cost.status !== 'measured') return;
    assert.equal(cost.samples, 8);
    assert.equal(cost.requestMs.mobile, measured.p50Ms * 2);
    assert.equal(cost.requestMs.edge, measured.p50Ms);
    assert.deepEqual(cost.sampleMs, { mobile: 1, edge: 0.5, cloud: 0.5 });
    await assert.rejects(measureRequestDecode([], { kind: 'image', inputName: 'input', spec }), /at least one request body/);
  });
});
