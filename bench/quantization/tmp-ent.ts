import { readFileSync } from 'node:fs';
import { loadFixtureSplit, fixtureModelPath } from '../../src/operators/quantization/fixture-samples';
import { calibrateModel } from '../../src/operators/quantization/static-int8';
import { rangeOf } from '../../src/operators/quantization/ranges';
(async () => {
  const calib = await loadFixtureSplit('fashion-resnet', 'calib-200', 100);
  const cal = await calibrateModel(readFileSync(fixtureModelPath('fashion-resnet', 'identity')), calib.samples);
  for (const [n, s] of cal.stats) console.log(n, rangeOf(s, 'minmax').map(x=>x.toFixed(3)), rangeOf(s, 'percentile').map(x=>x.toFixed(3)), rangeOf(s, 'entropy').map(x=>x.toFixed(3)));
})();
