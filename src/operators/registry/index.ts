import { TierwiseError } from '../../common/errors';
import { dynamicInt8 } from './dynamic-int8';
import { earlyExit } from './early-exit';
import type { Operator } from './operator';
import { partition } from './partition';
import { prune } from './prune';
import { sptq } from './sptq';

export type { ContextNeed, Operator, OperatorContext, OperatorOutput, PartitionOutput, PartitionSearchContext } from './operator';

/** Every black-box operator, by name: the one front door for study builds and operator chains. */
export const OPERATORS: ReadonlyMap<string, Operator> = new Map(
  [sptq, dynamicInt8, prune, earlyExit, partition].map((op) => [op.name, op]),
);

export function operatorNamed(name: string): Operator {
  const op = OPERATORS.get(name);
  if (!op)
    throw new TierwiseError(
      'CHAIN_OPERATOR_UNKNOWN',
      `unknown operator ${JSON.stringify(name)} (known: ${[...OPERATORS.keys()].join(', ')})`,
    );
  return op;
}
