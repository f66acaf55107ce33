import type { TensorSpec } from '../onnx/io-spec';

interface Interface {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/**
 * Why a variant cannot stand in for its model: the same input and output names, the same element types
 * (an int8 QAT model still takes and returns float32 at its boundary) and the same ranks. Empty when compatible.
 */
export function interfaceProblems(model: Interface, variant: Interface): string[] {
  return [...compare('input', model.inputs, variant.inputs), ...compare('output', model.outputs, variant.outputs)];
}

function compare(role: string, expected: TensorSpec[], actual: TensorSpec[]): string[] {
  const problems: string[] = [];
  const byName = new Map(actual.map((spec) => [spec.name, spec]));
  for (const want of expected) {
    const got = byName.get(want.name);
    if (!got) {
      problems.push(`${role} "${want.name}" is missing`);
      continue;
    }
    if (got.elemType !== want.elemType) problems.push(`${role} "${want.name}" is ${got.elemType}, the model's is ${want.elemType}`);
    if (want.shape && got.shape && got.shape.length !== want.shape.length) {
      problems.push(`${role} "${want.name}" has rank ${got.shape.length}, the model's has rank ${want.shape.length}`);
    }
  }
  const known = new Set(expected.map((spec) => spec.name));
  for (const spec of actual) if (!known.has(spec.name)) problems.push(`unexpected ${role} "${spec.name}"`);
  return problems;
}
