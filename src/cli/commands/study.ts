import { specFromFlags, withInputSpecFlags, type InputSpecFlags } from './input-flags';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { TierwiseError } from '../../common/errors';
import { CliError } from '../cli-errors';
import { TierwiseClient, type CreateStudyBody, type ReportFormat } from '../client/api-client';
import { isTerminal } from '../../studies/study-status';
import { followStudy, progressLine, type StudyProgress, type StudySummary } from '../client/follow-study';
import { recommendationTable } from '../client/recommendation-table';
import { WHITE_BOX_OPERATORS } from '../../models/white-box';
import { parseVariant, uploadDataset, uploadModel, type VariantFile } from '../client/upload';

interface ServerOptions {
  server: string;
  key?: string;
  json?: boolean;
}

interface RunOptions extends ServerOptions, InputSpecFlags {
  variant: VariantFile[];
  dataset?: string;
  preprocess?: string;
  task?: string;
  postprocess?: string;
  maxDrop?: number;
  minFidelity?: number;
  budgetMs?: number;
  maxSizeBytes?: number;
  scenarios?: string[];
  tiers?: string[];
  operators?: string[];
  mobileEdgeMbps?: number;
  edgeCloudMbps?: number;
  rttMs?: number;
  link: StudyLink[];
  path: string[];
  origin?: string;
  preset?: string;
  runs?: number;
  warmup?: number;
  /** `--adaptive [relCi]`: true (default ±2 %) or the target half-width as a fraction. */
  adaptive?: number | true;
  timeBudgetMs?: number;
  maxRuns?: number;
  evalLimit?: number;
  verify?: boolean;
  report?: string;
}

const REPORT_FORMATS = ['html', 'csv', 'json'];

interface StudyLink {
  from: string;
  to: string;
  mbps: number;
  reverseMbps?: number;
  rttMs: number;
  jitterMs?: number;
}

/** `--link rpi5=orin:50/100@4~1`: from=to, Mbps (from → to) [/ Mbps back], @ RTT ms [~ jitter ms]. */
export function parseLink(text: string, previous: StudyLink[] = []): StudyLink[] {
  const m = /^([a-z][a-z0-9-]*)=([a-z][a-z0-9-]*):([0-9.]+)(?:\/([0-9.]+))?@([0-9.]+)(?:~([0-9.]+))?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`--link ${text}: expected from=to:mbps[/reverseMbps]@rttMs[~jitterMs], e.g. rpi5=orin:50/100@4`);
  const link: StudyLink = { from: m[1], to: m[2], mbps: Number(m[3]), rttMs: Number(m[5]) };
  if (m[4] !== undefined) link.reverseMbps = Number(m[4]);
  if (m[6] !== undefined) link.jitterMs = Number(m[6]);
  return [...previous, link];
}

function number(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError('expected a non-negative number');
  return parsed;
}

function integer(value: string): number {
  const parsed = number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError('expected a whole number');
  return parsed;
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const collectVariant = (spec: string, previous: VariantFile[]) => [...previous, parseVariant(spec)];

function withServer(command: Command): Command {
  return command
    .option('--server <url>', 'the Tierwise api (env TIERWISE_SERVER)', process.env.TIERWISE_SERVER ?? 'http://localhost:3000')
    .option('--key <api key>', 'API key (default: env TIERWISE_API_KEY)')
    .option('--json', 'print one JSON object on stdout');
}

function clientFor(options: ServerOptions): TierwiseClient {
  return new TierwiseClient({ server: options.server, key: options.key ?? process.env.TIERWISE_API_KEY ?? '' });
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Redraws one line on a terminal; elsewhere (CI logs) writes a line per change. */
function progressReporter(id: string): { update(p: StudyProgress): void; done(): void } {
  let last = '';
  const tty = process.stderr.isTTY === true;
  return {
    update(p) {
      const line = progressLine(id, p);
      if (line === last) return;
      last = line;
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    done() {
      if (tty && last) process.stderr.write('\n');
    },
  };
}

function undefinedless<T extends Record<string, unknown>>(value: T): Partial<T> | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as Partial<T>) : undefined;
}

/** A study that did not complete is reported (JSON included) and then ends the command with exit code 2. */
function failUnlessCompleted(study: StudySummary): void {
  if (study.status === 'completed') return;
  const reason = study.error ?? study.failures.map((f) => `${f.job}${f.tier ? `@${f.tier}` : ''}: ${f.code} ${f.message}`).join('; ');
  if (!isTerminal(study.status)) throw new CliError('STUDY_TIMEOUT', `study ${study.id} is still ${study.status}`);
  throw new CliError(
    study.status === 'cancelled' ? 'STUDY_CANCELLED' : 'STUDY_FAILED',
    `study ${study.id} ${study.status}${reason ? `: ${reason}` : ''}`,
  );
}

/** A JSON argument given inline or as a path to a .json file; returned as JSON text. */
export function readJsonArgument(value: string, flag: string): string {
  const text = value.trim().startsWith('{') ? value : readFileSync(value, 'utf8');
  try {
    JSON.parse(text);
  } catch {
    throw new CliError('CLI_INVALID', `${flag} must be JSON or a JSON file, not ${value}`);
  }
  return text;
}

async function run(modelPath: string, options: RunOptions): Promise<void> {
  const client = clientFor(options);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const model = await uploadModel(client, modelPath, options.variant, {
    task: options.task,
    postprocess: options.postprocess === undefined ? undefined : readJsonArgument(options.postprocess, '--postprocess'),
  });
  if (model.taskGuessed) log(`task ${model.task} (guessed from the outputs; set it with --task or tierwise models set-task)`);
  log(
    `uploaded model ${model.name} (${model.id})${options.variant.length ? ` with ${options.variant.map((v) => v.operator).join(', ')}` : ''}`,
  );
  const dataset = options.dataset ? await uploadDataset(client, options.dataset, options.preprocess) : undefined;
  if (dataset) log(`uploaded dataset ${dataset.id}`);
  const body = undefinedless({
    modelId: model.id,
    datasetId: dataset?.id,
    tiers: options.tiers,
    scenarios: options.scenarios,
    operators: options.operators,
    constraints: undefinedless({
      maxAccuracyDrop: options.maxDrop,
      minFidelity: options.minFidelity,
      latencyBudgetMs: options.budgetMs,
      maxModelBytes: options.maxSizeBytes,
    }),
    network: undefinedless({
      mobileEdgeMbps: options.mobileEdgeMbps,
      edgeCloudMbps: options.edgeCloudMbps,
      rttMs: options.rttMs,
      preset: options.preset,
      links: options.link.length ? options.link : undefined,
      origin: options.origin,
      paths: options.path.length ? options.path : undefined,
    }),
    effort: undefinedless({
      runs: options.runs,
      warmup: options.warmup,
      evalLimit: options.evalLimit,
      mode: options.adaptive !== undefined ? 'adaptive' : undefined,
      targetRelCi: typeof options.adaptive === 'number' ? options.adaptive : undefined,
      timeBudgetMs: options.timeBudgetMs,
      maxRuns: options.maxRuns,
      verify: options.verify,
    }),
    inputs: specFromFlags(options),
  }) as CreateStudyBody; // names (tiers, scenarios, operators) as typed: the api validates them
  const created = await client.createStudy(body, randomUUID());
  log(`study ${created.id} submitted (follow it elsewhere with: tierwise study status ${created.id})`);
  const progress = progressReporter(created.id);
  progress.update(created);
  const study = await followStudy(client, created.id, (p) => progress.update(p));
  progress.update(study);
  progress.done();
  const recommendations = study.status === 'completed' ? await client.recommendations(study.id) : [];
  if (options.report && study.status === 'completed') {
    writeFileSync(options.report, await client.report(study.id, 'html'));
  }
  if (options.json) {
    print(
      JSON.stringify({ study, recommendations, ...(options.report && study.status === 'completed' ? { reportPath: options.report } : {}) }),
    );
  } else if (study.status === 'completed') {
    const measurements = await client.measurements(study.id);
    print(recommendationTable(recommendations, measurements));
    print(`\n${study.recommendation ? `Recommendation: ${study.recommendation.explanation}` : 'No candidate meets every constraint.'}`);
    const verified = verificationLine(study.recommendation?.verification);
    if (verified) print(verified);
  }
  if (options.report && study.status === 'completed') log(`report saved to ${options.report}`);
  failUnlessCompleted(study);
}

async function status(id: string, options: ServerOptions): Promise<void> {
  const study = await clientFor(options).study(id);
  if (options.json) return print(JSON.stringify(study));
  print(progressLine(study.id, study));
  if (study.error) print(`error: ${study.error}`);
  for (const f of study.failures) print(`failed ${f.job}${f.tier ? ` on ${f.tier}` : ''}: ${f.code}: ${f.message}`);
  if (study.recommendation) print(`Recommendation: ${study.recommendation.explanation}`);
  const verified = verificationLine(study.recommendation?.verification);
  if (verified) print(verified);
}

/** effort.verify's outcome in one line: measured beside predicted, or why it did not run. */
function verificationLine(v: Record<string, unknown> | null | undefined): string | null {
  if (!v) return null;
  const ms = (x: unknown) => (typeof x === 'number' ? `${x.toFixed(1)} ms` : '?');
  if (v.status !== 'measured') return `Verify: not run (${String(v.reason)}); predicted p50 ${ms(v.predictedP50Ms)}`;
  const gap = typeof v.gapPct === 'number' ? `${v.gapPct >= 0 ? '+' : ''}${v.gapPct.toFixed(1)} %` : '?';
  return `Verify: predicted p50 ${ms(v.predictedP50Ms)}, measured on a real stack ${ms(v.measuredP50Ms)} (${gap}${v.flagged ? ', over 15 %: flagged' : ''})`;
}

async function report(id: string, options: ServerOptions & { format: string; output?: string }): Promise<void> {
  if (!REPORT_FORMATS.includes(options.format))
    throw new TierwiseError('VALIDATION_FAILED', `--format: one of ${REPORT_FORMATS.join(', ')}, not ${options.format}`);
  const body = await clientFor(options).report(id, options.format as ReportFormat);
  if (!options.output) return print(body);
  writeFileSync(options.output, body);
  process.stderr.write(`report saved to ${options.output}\n`);
}

async function cancel(id: string, options: ServerOptions): Promise<void> {
  const study = await clientFor(options).cancelStudy(id);
  print(options.json ? JSON.stringify(study) : `study ${study.id}: ${study.status}`);
}

export function register(program: Command): void {
  const study = program.command('study').description('run a study on a Tierwise server and read its results');
  withInputSpecFlags(withServer(study.command('run <model>')))
    .description('upload a model (and its white-box variants, a dataset), run a study, follow it and print the ranked recommendation')
    .option(
      '--variant <operator=file>',
      `a white-box variant: ${WHITE_BOX_OPERATORS.join('|')}=<file.onnx> (repeatable)`,
      collectVariant,
      [],
    )
    .option('--dataset <path>', 'evaluation set: .tar.gz, .zip, .jsonl, .json, or a folder (packed as .tar.gz)')
    .option('--preprocess <file>', 'preprocessing spec (JSON) for the dataset')
    .option(
      '--task <task>',
      "the model's task (classification, multilabel, detection, segmentation, sequence, regression, embedding); guessed when absent",
    )
    .option('--postprocess <json|file>', "the task's postprocess spec, JSON inline or a .json file")
    .option('--max-drop <points>', "points of the task's primary metric tolerated below the baseline", number)
    .option('--min-fidelity <0..1>', "lowest fidelity to the baseline's outputs accepted (the task's label-free metric)", number)
    .option('--budget-ms <ms>', 'end-to-end p95 latency budget', number)
    .option('--max-size-bytes <bytes>', 'largest model file accepted', number)
    .option(
      '--scenarios <list>',
      'comma-separated tiers or head|tail cuts: mobile,edge,cloud,mobile|edge,edge|cloud (or your own: rpi5,orin|cloud-gpu)',
      list,
    )
    .option('--tiers <list>', 'comma-separated tiers (default: every configured tier)', list)
    .option('--operators <list>', 'comma-separated operators (default: every one that applies)', list)
    .option('--mobile-edge-mbps <n>', 'mobile–edge bandwidth', number)
    .option('--edge-cloud-mbps <n>', 'edge–cloud bandwidth', number)
    .option('--rtt-ms <n>', 'round-trip time added per hop', number)
    .option('--preset <name>', 'a named link set-up (paper: mobile–edge 200 Mbps, edge–cloud 1 Mbps, RTT 0)')
    .option('--link <from=to:mbps[/back]@rtt[~jitter]>', 'a link between two tiers (repeat; replaces the paper network)', parseLink, [])
    .option(
      '--path <a→b→c>',
      'a path the scenarios are drawn from, e.g. "rpi5>orin>cloud-gpu" (repeat)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option('--origin <tier>', 'the tier requests start on (default: the first link’s from)')
    .option('--runs <n>', 'warm runs per measurement', integer)
    .option('--verify', 'run the top recommendation for real across an emulated link (the worker needs root and ip)')
    .option('--warmup <n>', 'warm-up runs per measurement', integer)
    .option('--eval-limit <n>', 'evaluate on at most this many samples', integer)
    .option(
      '--adaptive [relCi]',
      "adaptive effort: run until the p50's 95 % interval is within ±relCi (default 0.02), the time budget or --max-runs",
      number,
    )
    .option('--time-budget-ms <ms>', 'time per measurement (with --adaptive: its upper bound, default 60000)', integer)
    .option('--max-runs <n>', 'with --adaptive: stop after this many timed runs', integer)
    .option('--report <file>', 'save the HTML report here')
    .action((model: string, options: RunOptions) => run(model, options));
  withServer(study.command('status <id>'))
    .description('status, progress and recommendation of a study')
    .action((id: string, options: ServerOptions) => status(id, options));
  withServer(study.command('report <id>'))
    .description("a completed study's report")
    .option('--format <format>', 'html, csv or json', 'html')
    .option('-o, --output <file>', 'write it here instead of stdout')
    .action((id: string, options: ServerOptions & { format: string; output?: string }) => report(id, options));
  withServer(study.command('cancel <id>'))
    .description('cancel a running study (results so far stay readable)')
    .action((id: string, options: ServerOptions) => cancel(id, options));
}
