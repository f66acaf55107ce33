import { readFileSync } from 'node:fs';
import { describeModel } from '../../src/onnx';
console.log(describeModel(readFileSync(process.argv[2])).opHistogram);
