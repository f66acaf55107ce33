import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { defaultLinks, route, type Link } from '../../benchmark/network';
import { TierwiseError } from '../../common/errors';
import { loadModel, saveModel } from '../../onnx';
import { listCuts, probeShapes, searchPartition, splitModel, type PartitionSearchResult } from '../../operators/partition';
import { engineSampleInputs } from '../../operators/sample-inputs';
import { partitionTolerance, verifySplit } from '../../operators/verify';
import { specFromFlags, withInputSpecFlags, type InputSpecFlags } from './input-flags';
import { readModelFile } from './prune';

export interface PartitionCliOptions extends InputSpecFlags {
  listCuts?: boolean;
  cut?: string;
  search?: boolean;
  output?: string[];
  from?: string;
  to?: string;
  mbps?: string;
  rttMs?: string;
  topK?: string;
  maxTensors?: string;
  requestBytes?: string;
  responseBytes?: string;
  runs?: string;
  json?: boolean;
}

function number(value: string | undefined, flag: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min)
    throw new TierwiseError('ARGUMENT_INVALID', `${flag} must be a number >= ${min}, got ${value}`);
  return n;
}

/** The default links with `mbps` on every link between the two tiers and `rttMs` on all of them. */
export function linksFor(from: string, to: string, mbps: number | undefined, rttMs: number): Link[] {
  const links = defaultLinks().map((l) => ({ ...l, rttMs }));
  if (mbps === undefined) return links;
  let path: Link[];
  try {
    path = route(from, to, links);
  } catch {
    throw new TierwiseError('PARTITION_ROUTE_INVALID', `no link path from ${from} to ${to}`);
  }
  return links.map((l) => (path.includes(l) ? { ...l, mbps } : l));
}

export async function runPartition(
  modelPath: string,
  options: PartitionCliOptions,
  progress: (line: string) => void = () => undefined,
): Promise<Record<string, unknown>> {
  const modes = [options.listCuts, options.cut !== undefined, options.search].filter(Boolean).length;
  if (modes !== 1) throw new TierwiseError('ARGUMENT_INVALID', 'give exactly one of --list-cuts, --cut <tensor>[,...] or --search');
  const spec = specFromFlags(options) ?? {};
  const bytes = readModelFile(modelPath);
  const model = loadModel(bytes, modelPath);
  if (options.listCuts) {
    const { cuts } = await listCuts(model, {
      feeds: engineSampleInputs(model, spec, 1)[0],
      maxTensors: number(options.maxTensors, '--max-tensors', 1, 2),
    });
    return { model: modelPath, cuts: cuts.map(({ headNodes: _h, tailNodes: _t, ...cut }) => cut) };
  }
  if (options.cut !== undefined) {
    if (options.output?.length !== 2) throw new TierwiseError('ARGUMENT_INVALID', '--cut needs -o <head.onnx> <tail.onnx>');
    const tensors = options.cut
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    // The probe runs at the spec's inputs (a dim nobody gave is INPUT_SPEC_REQUIRED), and symbolic dims stay symbolic.
    const feeds = engineSampleInputs(model, spec, 2);
    const { head, tail, cut } = splitModel(model, tensors, await probeShapes(model, { feeds: feeds[0], spec }));
    const [headBytes, tailBytes] = [saveModel(head), saveModel(tail)];
    const verification = await verifySplit(bytes, headBytes, tailBytes, feeds, partitionTolerance(model));
    writeFileSync(options.output[0], headBytes);
    writeFileSync(options.output[1], tailBytes);
    return {
      model: modelPath,
      cut: cut.tensors,
      forwardedInputs: cut.forwardedInputs,
      head: options.output[0],
      tail: options.output[1],
      headNodes: head.graph!.node!.length,
      tailNodes: tail.graph!.node!.length,
      verification,
    };
  }
  if (!options.from || !options.to) throw new TierwiseError('ARGUMENT_INVALID', '--search needs --from <tier> and --to <tier>');
  const mbps = options.mbps === undefined ? undefined : number(options.mbps, '--mbps', Number.MIN_VALUE, 0);
  progress(`profiling ${modelPath} on ${options.from} and ${options.to}, then measuring the best cuts`);
  const result = await searchPartition(modelPath, {
    from: options.from,
    to: options.to,
    links: linksFor(options.from, options.to, mbps, number(options.rttMs, '--rtt-ms', 0, 0)),
    feeds: engineSampleInputs(model, spec, 1)[0],
    topK: number(options.topK, '--top-k', 0, 3),
    maxTensors: number(options.maxTensors, '--max-tensors', 1, 2),
    runs: number(options.runs, '--runs', 1, 30),
    ...(options.requestBytes !== undefined ? { requestBytes: number(options.requestBytes, '--request-bytes', 0, 0) } : {}),
    ...(options.responseBytes !== undefined ? { responseBytes: number(options.responseBytes, '--response-bytes', 0, 0) } : {}),
  });
  return { ...result, candidates: result.candidates.map(({ cut: _cut, ...estimate }) => estimate) };
}

function searchTable(result: PartitionSearchResult): string {
  const ms = (v: number): string => v.toFixed(3).padStart(9);
  const row = (c: { e2eMs: number; headMs: number; tailMs: number; networkMs: number; transferBytes: number; id: string }): string =>
    `${ms(c.e2eMs)} ${ms(c.headMs)} ${ms(c.tailMs)} ${ms(c.networkMs)} ${String(c.transferBytes).padStart(9)}  ${c.id}`;
  const header = `${'e2e ms'.padStart(9)} ${'head ms'.padStart(9)} ${'tail ms'.padStart(9)} ${'net ms'.padStart(9)} ${'bytes'.padStart(9)}  cut`;
  const whole = (v: number | null): string => (v === null ? 'does not fit (out of memory)' : `${v.toFixed(3)} ms`);
  return [
    `${result.route.from}|${result.route.to}: ${result.candidates.length} cuts; whole model on ${result.route.from} ${whole(result.whole.onFromMs)}, on ${result.route.to} ${whole(result.whole.onToMs)}`,
    ...result.profiles
      .filter((p) => p.basis !== 'profiled')
      .map((p) => `${p.tier}'s per-node costs: ${p.basis} (estimate; the cuts are measured)`),
    'estimated (best 10):',
    header,
    ...result.candidates.slice(0, 10).map(row),
    'measured:',
    header,
    ...result.measured.map((m) => `${row(m)}  (estimate ${m.estimateMs.toFixed(3)}, error ${m.errorPct.toFixed(1)}%)`),
    ...result.outOfMemory.filter((o) => o.what !== 'whole').map((o) => `out of memory: cut ${o.what} on ${o.tier} (${o.message})`),
    `best: ${result.best.id} at ${result.best.e2eMs.toFixed(3)} ms (${result.best.basis}); ${result.measurements} runner measurements`,
  ].join('\n');
}

export function register(program: Command): void {
  withInputSpecFlags(
    program
      .command('partition')
      .description('list cut points, split a model at one, or search the best split for a tier pair')
      .argument('<in.onnx>', 'the model')
      .option('--list-cuts', 'list tensors (and pairs) that separate the inputs from the outputs, with their sizes')
      .option('--cut <tensors>', 'split at these comma-separated tensors')
      .option('-o, --output <paths...>', 'with --cut: <head.onnx> <tail.onnx>')
      .option('--search', 'estimate every cut from per-node profiles and the link model, then measure the best few')
      .option('--from <tier>', 'tier running the head')
      .option('--to <tier>', 'tier running the tail')
      .option('--mbps <n>', 'bandwidth of the links between --from and --to (default: mobile-edge 200, edge-cloud 1)')
      .option('--rtt-ms <n>', 'round-trip time added per hop', '0')
      .option('--top-k <n>', 'how many of the best estimates to measure', '3')
      .option('--max-tensors <n>', 'largest cut set (1 or 2)', '2')
      .option('--request-bytes <n>', 'request payload size (default: the raw input tensors)')
      .option('--response-bytes <n>', 'response size (default: the raw output tensors)')
      .option('--runs <n>', 'timed runs per measurement', '30')
      .option('--json', 'print JSON'),
  ).action(async (modelPath: string, options: PartitionCliOptions) => {
    const result = await runPartition(modelPath, options, (line) => process.stderr.write(`${line}\n`));
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    if (options.search) {
      process.stdout.write(`${searchTable(result as unknown as PartitionSearchResult)}\n`);
      return;
    }
    if (options.cut !== undefined) {
      process.stdout.write(`head ${result.head} (${result.headNodes} nodes), tail ${result.tail} (${result.tailNodes} nodes)\n`);
      return;
    }
    const cuts = result.cuts as Array<{ id: string; transferBytes: number; forwardedInputs: string[] }>;
    process.stdout.write(
      `${cuts.map((c) => `${String(c.transferBytes).padStart(10)} B  ${c.id}${c.forwardedInputs.length ? `  (+ ${c.forwardedInputs.join(', ')})` : ''}`).join('\n')}\n`,
    );
  });
}
