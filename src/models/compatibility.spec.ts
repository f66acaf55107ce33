import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interfaceProblems } from './compatibility';

const model = {
  inputs: [{ name: 'input', elemType: 'float32' as const, shape: ['N', 1, 32, 32] }],
  outputs: [{ name: 'logits', elemType: 'float32' as const, shape: ['N', 10] }],
};

test('an identical interface is compatible', () => {
  assert.deepEqual(interfaceProblems(model, model), []);
});

test('names, element types and ranks must match', () => {
  const variant = {
    inputs: [{ name: 'input', elemType: 'int64' as const, shape: ['N', 32, 32] }],
    outputs: [{ name: 'scores', elemType: 'float32' as const, shape: ['N', 10] }],
  };
  assert.deepEqual(interfaceProblems(model, variant), [
    'input "input" is int64, the model\'s is float32',
    'input "input" has rank 3, the model\'s has rank 4',
    'output "logits" is missing',
    'unexpected output "scores"',
  ]);
});
