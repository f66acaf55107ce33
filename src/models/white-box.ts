/**
 * White-box operators: the user applies them (distillation, quantization-aware training, pruning, their own) and
 * uploads the result as a variant of the model; Tierwise never builds them. Plain constants shared by the api,
 * the study planner, the CLI and the web page.
 */
export const WHITE_BOX_OPERATORS = ['distilled', 'qat', 'pruned', 'custom'] as const;
export type WhiteBoxOperator = (typeof WHITE_BOX_OPERATORS)[number];

export function isWhiteBoxOperator(operator: string): operator is WhiteBoxOperator {
  return (WHITE_BOX_OPERATORS as readonly string[]).includes(operator);
}
