import { readFileSync, writeFileSync } from 'node:fs';
import { loadFixtureSplit, fixtureModelPath } from '../../src/operators/quantization/fixture-samples';
import { calibrateModel, buildStatic } from '../../src/operators/quantization/static-int8';
import { top1Accuracy } from '../../src/operators/quantization/accuracy';
import { medianLatencyMs } from '../../src/operators/quantization/latency';
import { openSession } from '../../src/onnx';
(async () => {
  const fam = process.argv[2] as 'fashion-resnet' | 'sentiment-bert';
  const calib = await loadFixtureSplit(fam, fam === 'fashion-resnet' ? 'calib-200' : 'calib-200.jsonl', 100);
  const evalSet = await loadFixtureSplit(fam, fam === 'fashion-resnet' ? 'eval-1000' : 'test-600.jsonl');
  const fp32 = readFileSync(fixtureModelPath(fam, 'identity'));
  let t = Date.now();
  const cal = await calibrateModel(fp32, calib.samples);
  console.log('calibrated', Date.now() - t, 'ms', cal.stats.size, 'tensors');
  console.log('fp32 acc', await top1Accuracy(fp32, evalSet.samples), 'lat', await medianLatencyMs(fp32, evalSet.samples[0].inputs, 100));
  for (const method of ['minmax', 'percentile', 'entropy'] as const) {
    const q = buildStatic(cal, { method, perChannel: true });
    writeFileSync(`/tmp/q-${fam}-${method}.onnx`, q.bytes);
    console.log(method, 'acc', await top1Accuracy(q.bytes, evalSet.samples), 'lat', await medianLatencyMs(q.bytes, evalSet.samples[0].inputs, 100), q.bytes.length);
  }
  const s = await openSession(readFileSync(`/tmp/q-${fam}-minmax.onnx`), { optimizedModelFilePath: `/tmp/opt-${fam}.onnx` });
  await s.release();
})();
