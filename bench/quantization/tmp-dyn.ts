import { readFileSync, writeFileSync } from 'node:fs';
import { loadFixtureSplit, fixtureModelPath } from '../../src/operators/quantization/fixture-samples';
import { quantizeDynamic } from '../../src/operators/quantization/dynamic-int8';
import { top1Accuracy } from '../../src/operators/quantization/accuracy';
import { medianLatencyMs } from '../../src/operators/quantization/latency';
import { openSession, describeModel } from '../../src/onnx';
(async () => {
  const fam = process.argv[2] as 'fashion-resnet' | 'sentiment-bert';
  const evalSet = await loadFixtureSplit(fam, fam === 'fashion-resnet' ? 'eval-1000' : 'test-600.jsonl');
  const fp32 = readFileSync(fixtureModelPath(fam, 'identity'));
  console.log('fp32 acc', await top1Accuracy(fp32, evalSet.samples), 'lat', await medianLatencyMs(fp32, evalSet.samples[0].inputs, 100));
  for (const perChannel of [true, false]) {
    const q = quantizeDynamic(fp32, { perChannel });
    writeFileSync(`/tmp/d-${fam}.onnx`, q.bytes);
    console.log('dyn perChannel', perChannel, 'acc', await top1Accuracy(q.bytes, evalSet.samples), 'lat', await medianLatencyMs(q.bytes, evalSet.samples[0].inputs, 100), q.bytes.length);
    const s = await openSession(q.bytes, { optimizedModelFilePath: `/tmp/dopt-${fam}.onnx` }); await s.release();
    console.log(describeModel(readFileSync(`/tmp/dopt-${fam}.onnx`)).opHistogram);
  }
})();
