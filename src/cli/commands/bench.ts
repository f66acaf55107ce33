import type { Command } from 'commander';
import { TierwiseError } from '../../common/errors';
import { ENVELOPE_METHODS, type EnvelopeMethod } from '../../benchmark/envelope';
import { formatInputShapes } from '../../onnx/input-spec';
import { specFromFlags, withInputSpecFlags, type InputSpecFlags } from './input-flags';
import { measure, type MeasureResult } from '../../benchmark/runner';
import { DEFAULT_NOISE_POLICY } from '../../benchmark/noise';

interface BenchOptions extends InputSpecFlags {
  tier: string;
  runs?: string;
  warmup?: string;
  threads?: string;
  envelope: string;
  samples?: string;
  budgetMs?: string;
  timeoutMs?: string;
  profile?: boolean;
  json?: boolean;
  retakes?: string;
  noiseThreshold?: string;
}

export function integer(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new TierwiseError('ARGUMENT_INVALID', `${flag} must be an integer >= ${min}, got ${value}`);
  return n;
}

export function envelopeMethod(value: string): EnvelopeMethod {
  if (!(ENVELOPE_METHODS as readonly string[]).includes(value))
    throw new TierwiseError('ARGUMENT_INVALID', `--envelope must be one of ${ENVELOPE_METHODS.join(', ')}, got ${value}`);
  return value as EnvelopeMethod;
}

export function register(program: Command): void {
  withInputSpecFlags(
    program
      .command('bench <model>')
      .description("measure a model's cold start and warm latency in a tier's envelope, locally, without the server")
      .requiredOption('--tier <name>', 'tier: mobile, edge, cloud or a configured one')
      .option('--runs <n>', 'timed runs (default 50)')
      .option('--warmup <n>', 'warm-up runs (default 10)')
      .option('--threads <n>', "override the tier's thread count")
      .option('--samples <file.json>', 'feed these samples instead of synthetic inputs')
      .option('--budget-ms <ms>', 'run for this long instead of a fixed number of runs')
      .option('--envelope <method>', `emulation: ${ENVELOPE_METHODS.join(' | ')}`, 'scaled')
      .option('--timeout-ms <ms>', 'kill the runner after this long')
      .option('--profile', 'per-node kernel times')
      .option('--retakes <n>', 'retake a measurement other work disturbed up to n times (default 3)')
      .option('--noise-threshold <share>', 'foreign share of the measuring cores that counts as disturbed, 0-1 (default 0.1)')
      .option('--json', 'print the result as one JSON object'),
  ).action(async (model: string, options: BenchOptions) => {
    const threads = integer(options.threads, '--threads', 1);
    process.stderr.write(`measuring ${model} on ${options.tier} (${options.envelope})…\n`);
    const result = await measure({
      modelPath: model,
      tier: options.tier,
      tierOverride: threads === undefined ? undefined : { threads },
      method: envelopeMethod(options.envelope),
      runs: integer(options.runs, '--runs', 1),
      warmup: integer(options.warmup, '--warmup'),
      budgetMs: integer(options.budgetMs, '--budget-ms', 1),
      timeoutMs: integer(options.timeoutMs, '--timeout-ms', 1),
      inputs: options.samples ? { kind: 'samples', path: options.samples } : { kind: 'synthetic', spec: specFromFlags(options) },
      profile: options.profile === true,
      noise: {
        maxRetakes: integer(options.retakes, '--retakes') ?? DEFAULT_NOISE_POLICY.maxRetakes,
        threshold: options.noiseThreshold === undefined ? DEFAULT_NOISE_POLICY.threshold : Number(options.noiseThreshold),
      },
    });
    process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : table(result));
  });
}

function table(r: MeasureResult): string {
  const f = (ms: number) => ms.toFixed(3).padStart(10);
  const lines = [
    `${r.model}`,
    `tier ${r.tier}: ${r.envelope.tier.cpus} CPUs × coreSpeed ${r.envelope.tier.coreSpeed}, ${r.envelope.tier.threads} thread(s), ${r.envelope.tier.memoryMB} MiB`,
    `envelope ${r.envelope.method}${r.envelope.method !== r.envelope.requestedMethod ? ` (asked for ${r.envelope.requestedMethod})` : ''}: ${r.envelope.formula}`,
    `cores ${r.envelope.cores?.join(',') ?? 'not pinned'}, memory ${r.envelope.enforced.memory.mechanism}${r.envelope.memoryLimitMB ? ` ${r.envelope.memoryLimitMB} MiB` : ''}${r.envelope.quotaCpus !== null ? `, quota ${r.envelope.quotaCpus} CPUs` : ''}`,
    `inputs ${formatInputShapes(r.inputRecord)}`,
    '',
    `             ${'tier'.padStart(10)} ${'host raw'.padStart(10)}   (ms, ${r.n} runs after ${r.warmup} warm-up)`,
    `p50          ${f(r.p50)} ${f(r.raw.p50)}   95% CI ${r.p50CI.low.toFixed(3)}–${r.p50CI.high.toFixed(3)}`,
    `p90          ${f(r.p90)} ${f(r.raw.p90)}`,
    `p99          ${f(r.p99)} ${f(r.raw.p99)}`,
    `mean ± std   ${f(r.mean)} ${f(r.raw.mean)}   ± ${r.std.toFixed(3)}`,
    `cold start   ${f(r.coldStartScaledMs)} ${f(r.coldStartMs)}   (session ${r.sessionCreateMs.toFixed(1)} + first run ${r.firstRunMs.toFixed(1)})`,
    `peak RSS ${r.peakRssMB.toFixed(1)} MiB, checksum ${r.checksum.slice(0, 16)}…`,
    `noise ${r.noise.foreignCpuShare === null ? 'unknown (not pinned)' : `${(r.noise.foreignCpuShare * 100).toFixed(0)}% of the measuring cores used by other work`}` +
      `, ${r.noise.retakes} retake(s)${r.noise.noisy ? ', NOISY' : ''}; stopped: ${r.stopReason}`,
  ];
  if (r.nodeTimes) {
    lines.push('', 'slowest nodes (tier ms / run):');
    for (const n of r.nodeTimes.slice(0, 10)) lines.push(`  ${n.scaledMeanMs.toFixed(3).padStart(9)}  ${n.opType.padEnd(14)} ${n.node}`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}
