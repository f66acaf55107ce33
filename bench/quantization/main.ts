/**
 * bench/quantization: Tierwise's int8 against its fp32 models and against onnxruntime's own Python quantizer (the
 * peer), on the fixtures (top-1 on their eval sets) and the real-model zoo's small models (relative L2 to fp32 on
 * held-out inputs). Same models, same calibration samples (written to .npy for the peer), same onnxruntime
 * (1.30, onnxruntime-node timing every model, one thread, interleaved rounds): speed-ups are the median of
 * per-round fp32/variant ratios, with their range.
 *
 *   bash bench/quantization/peer-setup.sh        # once: bench-only venv with onnxruntime's quantizer
 *   npx tsx bench/quantization/main.ts [--no-zoo] [--rounds N]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/common/paths';
import type { DatasetSample } from '../../src/datasets/formats/types';
import type { InputTensor } from '../../src/onnx/io-spec';
import { openSession, toFeeds } from '../../src/onnx';
import { fixtureModelPath, loadFixtureSplit, type FixtureFamily } from '../../src/operators/testing/fixture-samples';
import {
  buildStatic,
  calibrateModel,
  compareRounds,
  interleavedRoundMedians,
  placeLatencyAware,
  quantizeAccuracyAware,
  quantizeDynamic,
  top1Accuracy,
  type LatencyPlacement,
} from '../../src/operators/quantization';
import { inputTypes, makeFeeds } from '../zoo/engines';
import { installZoo, ZOO_MODELS } from '../zoo/zoo-models';

const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] || 0) || 9;
const ROUND_BUDGET_MS = 120;
const VENV_PY = join(repoRoot(), 'bench/quantization/.venv/bin/python');

type Kind = 'static' | 'dynamic';
interface Case {
  label: string;
  kinds: Kind[];
  fp32: Uint8Array;
  calib: DatasetSample[];
  timingInput: Record<string, InputTensor>;
  /** Fixtures: top-1 on a labelled eval set; zoo: relative L2 of every output to fp32 on held-out inputs. */
  evalSet?: DatasetSample[];
  heldOut?: Array<Record<string, InputTensor>>;
  evalName: string;
}
interface Variant {
  name: string;
  side: 'fp32' | 'tierwise' | 'peer';
  bytes?: Uint8Array;
  error?: string;
  note?: string;
  latency?: LatencyPlacement;
}

const NPY_DTYPE: Record<string, string> = { float32: '<f4', int64: '<i8', int32: '<i4', uint8: '|u1', int8: '|i1', float64: '<f8' };
function writeNpy(path: string, t: InputTensor): void {
  const descr = NPY_DTYPE[t.type];
  if (!descr) throw new Error(`no .npy dtype for ${t.type}`);
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${t.dims.join(', ')}${t.dims.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from([0x93]).copy(pre, 0);
  pre.write('NUMPY', 1, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
}

function peerQuantize(c: Case, dir: string): Variant[] {
  if (!existsSync(VENV_PY)) return [{ name: 'peer', side: 'peer', error: 'no peer venv: run bash bench/quantization/peer-setup.sh' }];
  const model = join(dir, 'fp32.onnx');
  writeFileSync(model, c.fp32);
  const calibDir = join(dir, 'calib');
  c.calib.forEach((s, i) => {
    mkdirSync(join(calibDir, String(i)), { recursive: true });
    for (const [name, t] of Object.entries(s.inputs)) writeNpy(join(calibDir, String(i), `${name}.npy`), t);
  });
  const jobs = c.kinds.flatMap((kind) =>
    (['default', 'x86'] as const).map((config) => ({
      model,
      out: join(dir, `peer-${kind}-${config}.onnx`),
      kind,
      config,
      calib: calibDir,
    })),
  );
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
  const out = execFileSync(VENV_PY, [join(repoRoot(), 'bench/quantization/peer.py'), join(dir, 'jobs.json')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 24,
  });
  const results = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { out: string; ok: boolean; error?: string; args?: Record<string, unknown>; preProcess?: boolean });
  return jobs.map((job) => {
    const r = results.find((x) => x.out === job.out);
    const x86 = job.kind === 'static' ? 'QDQ, u8 act, s8 per-channel w' : 's8 per-channel w';
    const name = `peer ${job.kind} ${job.config === 'x86' ? `x86 (${r?.preProcess ? 'pre-processed, ' : 'NOT pre-processed, '}${x86})` : 'defaults'}`;
    if (!r?.ok) return { name, side: 'peer' as const, error: r?.error ?? 'no result' };
    return { name, side: 'peer' as const, bytes: readFileSync(job.out), note: JSON.stringify(r.args) };
  });
}

async function outputsOf(bytes: Uint8Array, feeds: Array<Record<string, InputTensor>>): Promise<Float32Array[][]> {
  const session = await openSession(bytes, { threads: 1 });
  try {
    const out: Float32Array[][] = [];
    for (const f of feeds) {
      const r = await session.run(toFeeds(f));
      out.push(session.outputNames.map((n) => Float32Array.from(r[n].data as Float32Array, Number)));
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Worst output's relative L2 (||y - y_fp32|| / ||y_fp32|| over all held-out inputs). */
function worstRelL2(ref: Float32Array[][], got: Float32Array[][]): number {
  let worst = 0;
  for (let o = 0; o < ref[0].length; o++) {
    let se = 0;
    let ss = 0;
    for (let s = 0; s < ref.length; s++)
      for (let i = 0; i < ref[s][o].length; i++) {
        se += (got[s][o][i] - ref[s][o][i]) ** 2;
        ss += ref[s][o][i] ** 2;
      }
    worst = Math.max(worst, Math.sqrt(se / (ss || 1)));
  }
  return worst;
}

/** [p25, p75] of per-round ratios: the spread without the one round a burst of load on the host hit. */
function quartiles(xs: number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => {
    const i = q * (s.length - 1);
    return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
  };
  return [at(0.25), at(0.75)];
}

async function fixtureCases(): Promise<Case[]> {
  const defs: Array<{
    label: string;
    family: FixtureFamily;
    variant: 'identity' | 'distilled';
    calib: string;
    evalSplit: string;
    kinds: Kind[];
  }> = [
    {
      label: 'image teacher',
      family: 'fashion-resnet',
      variant: 'identity',
      calib: 'calib-200',
      evalSplit: 'eval-1000',
      kinds: ['static'],
    },
    {
      label: 'image student',
      family: 'fashion-resnet',
      variant: 'distilled',
      calib: 'calib-200',
      evalSplit: 'eval-1000',
      kinds: ['static'],
    },
    {
      label: 'text teacher',
      family: 'sentiment-bert',
      variant: 'identity',
      calib: 'calib-200.jsonl',
      evalSplit: 'test-600.jsonl',
      kinds: ['dynamic', 'static'],
    },
    {
      label: 'text student',
      family: 'sentiment-bert',
      variant: 'distilled',
      calib: 'calib-200.jsonl',
      evalSplit: 'test-600.jsonl',
      kinds: ['dynamic'],
    },
  ];
  const out: Case[] = [];
  for (const d of defs) {
    const calib = (await loadFixtureSplit(d.family, d.calib)).samples;
    const evalSet = (await loadFixtureSplit(d.family, d.evalSplit)).samples;
    out.push({
      label: d.label,
      kinds: d.kinds,
      fp32: readFileSync(fixtureModelPath(d.family, d.variant)),
      calib,
      timingInput: evalSet[0].inputs,
      evalSet,
      evalName: `top-1 % on ${d.evalSplit} (${evalSet.length})`,
    });
  }
  return out;
}

async function zooCases(): Promise<Case[]> {
  const { models } = installZoo(false);
  const out: Case[] = [];
  for (const id of ['embedding', 'hey-jarvis', 'alexa', 'melspectrogram']) {
    const m = ZOO_MODELS.find((x) => x.id === id)!;
    const path = models[id];
    const types = await inputTypes(path);
    const toInputs = (seed: number): Record<string, InputTensor> =>
      Object.fromEntries(
        Object.entries(makeFeeds(m.spec, types, seed)).map(([k, t]) => [
          k,
          { type: t.type, dims: [...t.dims], data: t.data } as InputTensor,
        ]),
      );
    const calib = Array.from({ length: 8 }, (_, i) => ({ id: `zoo-${i}`, inputs: toInputs(1000 + i), payloadBytes: 0 }));
    out.push({
      label: `zoo ${id}`,
      kinds: ['static'],
      fp32: readFileSync(path),
      calib: calib as DatasetSample[],
      timingInput: toInputs(999),
      heldOut: Array.from({ length: 8 }, (_, i) => toInputs(2000 + i)),
      evalName: 'worst relative L2 to fp32 over 8 held-out inputs',
    });
  }
  return out;
}

async function tierwiseVariants(c: Case): Promise<Variant[]> {
  const out: Variant[] = [];
  if (c.kinds.includes('static')) {
    try {
      const calibrated = await calibrateModel(c.fp32, c.calib);
      const config = { method: 'minmax' as const, perChannel: true };
      out.push({
        name: 'tierwise static int8 (full QDQ, minmax, per-channel)',
        side: 'tierwise',
        bytes: buildStatic(calibrated, config).bytes,
      });
      if (c.label === 'image teacher') {
        for (const method of ['percentile', 'entropy'] as const)
          out.push({
            name: `tierwise static int8 (full QDQ, ${method}, per-channel)`,
            side: 'tierwise',
            bytes: buildStatic(calibrated, { method, perChannel: true }).bytes,
          });
        // What a study with maxAccuracyDrop 0 builds: the accuracy-aware search on the same eval set.
        const baseline = await top1Accuracy(c.fp32, c.evalSet!);
        const aa = await quantizeAccuracyAware(c.fp32, c.calib, {
          evaluate: (b) => top1Accuracy(b, c.evalSet!),
          baseline,
          maxDrop: 0,
          maxTrials: 10,
        });
        out.push(
          aa.bytes
            ? {
                name: 'tierwise accuracy-aware int8 (maxDrop 0)',
                side: 'tierwise',
                bytes: aa.bytes,
                note: `kept fp32 for accuracy: ${aa.chosen!.excluded.join(', ') || 'none'} (${aa.trials.length} trials)`,
              }
            : {
                name: 'tierwise accuracy-aware int8 (maxDrop 0)',
                side: 'tierwise',
                error: `no trial within 0 points (${aa.trials.length} trials)`,
              },
        );
      }
      const la = await placeLatencyAware(c.fp32, calibrated, config, { inputs: c.timingInput, threads: 1 });
      const kept = la.placement.keptFloat.map((k) => `${k.group} (${k.nodes.length})`).join(', ');
      out.push(
        la.placement.outcome === 'int8'
          ? {
              name: 'tierwise latency-aware int8',
              side: 'tierwise',
              bytes: la.bytes,
              latency: la.placement,
              note: kept ? `kept fp32: ${kept}` : 'no group kept fp32',
            }
          : {
              name: 'tierwise latency-aware int8',
              side: 'tierwise',
              bytes: c.fp32,
              latency: la.placement,
              note: `INT8_NOT_FASTER (best placement x${la.placement.speedup.toFixed(3)}): the float model is kept`,
            },
      );
    } catch (error) {
      out.push({
        name: 'tierwise static int8',
        side: 'tierwise',
        error: error instanceof Error ? error.message.slice(0, 200) : String(error),
      });
    }
  }
  if (c.kinds.includes('dynamic')) out.push({ name: 'tierwise dynamic int8', side: 'tierwise', bytes: quantizeDynamic(c.fp32).bytes });
  return out;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tierwise-bench-quant-'));
  const cases = [...(await fixtureCases()), ...(args.includes('--no-zoo') ? [] : await zooCases())];
  const rows: Array<Record<string, unknown>> = [];
  for (const [ci, c] of cases.entries()) {
    process.stderr.write(`${c.label}: quantizing (Tierwise, then the peer)\n`);
    const dir = join(work, String(ci));
    mkdirSync(dir, { recursive: true });
    const variants: Variant[] = [{ name: 'fp32', side: 'fp32', bytes: c.fp32 }, ...(await tierwiseVariants(c)), ...peerQuantize(c, dir)];
    // Models onnxruntime-node cannot load or run are reported with the error, not timed.
    for (const v of variants)
      if (v.bytes)
        try {
          await outputsOf(v.bytes, [c.timingInput]);
        } catch (error) {
          v.error = `does not run: ${error instanceof Error ? error.message.slice(0, 160) : String(error)}`;
          v.bytes = undefined;
        }
    const timed = variants.filter((v) => v.bytes);
    process.stderr.write(`${c.label}: timing ${timed.length} models interleaved, ${ROUNDS} rounds\n`);
    const load = [loadavg()[0]];
    const rounds = await interleavedRoundMedians(
      timed.map((v) => v.bytes!),
      c.timingInput,
      { threads: 1, rounds: ROUNDS, roundBudgetMs: ROUND_BUDGET_MS },
    );
    load.push(loadavg()[0]);
    const ref = c.heldOut ? await outputsOf(c.fp32, c.heldOut) : undefined;
    const baseAcc = c.evalSet ? await top1Accuracy(c.fp32, c.evalSet) : undefined;
    for (const v of variants) {
      const k = timed.indexOf(v);
      const cmp = k >= 0 ? compareRounds(rounds[0], rounds[k]) : undefined;
      const quality = !v.bytes
        ? undefined
        : c.evalSet
          ? await top1Accuracy(v.bytes, c.evalSet)
          : worstRelL2(ref!, await outputsOf(v.bytes, c.heldOut!));
      rows.push({
        model: c.label,
        variant: v.name,
        side: v.side,
        sizeBytes: v.bytes?.length,
        p50Ms1Thread: cmp ? Number(cmp.candidateMs.toFixed(4)) : undefined,
        speedup1Thread: cmp ? Number(cmp.ratio.toFixed(3)) : undefined,
        speedupRange: cmp ? cmp.spread.map((x) => Number(x.toFixed(3))) : undefined,
        speedupIqr: k >= 0 ? quartiles(rounds[0].map((b, i) => b / rounds[k][i])).map((x) => Number(x.toFixed(3))) : undefined,
        quality: quality === undefined ? undefined : Number(quality.toFixed(c.evalSet ? 2 : 4)),
        qualityDrop: quality !== undefined && baseAcc !== undefined ? Number((baseAcc - quality).toFixed(2)) : undefined,
        qualityMetric: c.evalName,
        ...(v.note ? { note: v.note } : {}),
        ...(v.error ? { error: v.error } : {}),
        ...(v.latency ? { latency: v.latency } : {}),
        loadAverage1m: load.map((x) => Number(x.toFixed(2))),
      });
    }
  }
  console.log(
    `onnxruntime-node 1.30, 1 thread, ${ROUNDS} interleaved rounds (each model ~${ROUND_BUDGET_MS} ms a round); speed-up = median of per-round fp32/variant p50 ratios [p25-p75 over rounds; min-max in the JSON]; ${cpus().length} cores`,
  );
  console.log(
    'model               variant                                                 size KB   p50 ms  speed-up [range]      quality   drop',
  );
  for (const r of rows) {
    const sp = r.speedup1Thread === undefined ? '-' : `${String(r.speedup1Thread)} [${(r.speedupIqr as number[]).join('-')}]`;
    console.log(
      `${String(r.model).padEnd(20)}${String(r.variant).slice(0, 55).padEnd(56)}${r.sizeBytes === undefined ? '       -' : (Number(r.sizeBytes) / 1024).toFixed(0).padStart(8)} ${r.p50Ms1Thread === undefined ? '       -' : Number(r.p50Ms1Thread).toFixed(3).padStart(8)}  ${sp.padEnd(20)} ${r.quality === undefined ? '-' : String(r.quality).padStart(8)} ${r.qualityDrop === undefined ? '' : String(r.qualityDrop).padStart(6)}${r.error ? `  ERROR ${String(r.error)}` : ''}${r.note && r.side === 'tierwise' ? `  (${String(r.note)})` : ''}`,
    );
  }
  mkdirSync(join(repoRoot(), 'bench/results'), { recursive: true });
  writeFileSync(
    join(repoRoot(), 'bench/results/quantization.json'),
    JSON.stringify(
      {
        onnxruntime: '1.30.0',
        threads: 1,
        rounds: ROUNDS,
        roundBudgetMs: ROUND_BUDGET_MS,
        cores: cpus().length,
        rows,
        measuredAt: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
  rmSync(work, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
