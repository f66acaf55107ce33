const NOUNS: Record<string, string> = {
  identity: 'fp32 model',
  distilled: 'distilled model',
  qat: 'quantization-aware-trained model',
  pruned: 'pruned and fine-tuned model',
  custom: 'custom variant',
};

const MODIFIERS: Record<string, string> = {
  sptq: 'with static int8 quantization',
  'dynamic-int8': 'with dynamic int8 quantization',
  prune: 'with magnitude pruning (no fine-tuning)',
  'early-exit': 'with a residual block skipped',
  partition: 'split across two tiers',
};

/** A noun phrase for sentences: ["distilled","sptq"] → "distilled model with static int8 quantization". */
export function variantLabel(operators: readonly string[]): string {
  const [first, ...rest] = operators;
  const base = NOUNS[first];
  const steps = base ? rest : operators;
  const noun = base ?? NOUNS.identity;
  return [noun, ...steps.map((op) => MODIFIERS[op] ?? `with ${op}`)].join(' ');
}
