/**
 * The real-model zoo bench: every engine on every zoo model, driven through the CLI, each written model checked
 * against the original in onnxruntime. Prints one table (model × engine) and writes bench/results/zoo.json.
 *
 *   npm run build && node dist/bench/zoo/main.js [--big] [--only id,id] [--tiers mobile,edge,cloud] [--runs n] [--skip engine,…]
 *
 * Results are written after every cell (TIERWISE_ZOO_RESULT overrides the path); a run over some models keeps
 * the rows of the others from the previous file. Zoo CLI calls over TIERWISE_ZOO_RSS_CAP_MB (8000) are killed.
 * Without --big only the small models (those CI runs); ISNet takes seconds per inference.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputTypes, runEngine, TOLERANCE, type Cell } from './engines';
import { ENGINES, installZoo, repoRoot, ZOO_MODELS } from './zoo-models';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function cellText(cell: Cell): string {
  switch (cell.status) {
    case 'ok':
      return cell.agreement ? `ok (${cell.agreement.relL2})` : 'ok';
    case 'refused':
      return `refused ${cell.code}`;
    default:
      return cell.status;
  }
}

export function table(cells: Cell[]): string {
  const models = [...new Set(cells.map((c) => c.model))];
  const width = 24;
  const header = ['model'.padEnd(16), ...ENGINES.map((e) => e.padEnd(width))].join(' ');
  const rows = models.map((m) =>
    [
      m.padEnd(16),
      ...ENGINES.map((e) => {
        const cell = cells.find((c) => c.model === m && c.engine === e);
        return (cell ? cellText(cell) : '-').slice(0, width).padEnd(width);
      }),
    ].join(' '),
  );
  return [header, ...rows].join('\n');
}

async function main(): Promise<void> {
  const big = process.argv.includes('--big');
  const only = option('--only')?.split(',');
  const tiers = (option('--tiers') ?? 'mobile,edge,cloud').split(',');
  const { dir, models: paths } = installZoo(big);
  const chosen = ZOO_MODELS.filter((m) => (big || m.ci) && (!only || only.includes(m.id)) && paths[m.id]);
  const work = mkdtempSync(join(tmpdir(), 'tierwise-zoo-'));
  const cells: Cell[] = [];
  const resultPath = process.env.TIERWISE_ZOO_RESULT ?? join(repoRoot(), 'bench/results/zoo.json');
  const previous = existsSync(resultPath)
    ? (JSON.parse(readFileSync(resultPath, 'utf8')) as { cells: Cell[]; runs?: Record<string, string> })
    : undefined;
  const ran = new Set(chosen.map((m) => m.id));
  const runs: Record<string, string> = { ...(previous?.runs ?? {}) };
  for (const id of ran) runs[id] = new Date().toISOString();
  // A run over some models keeps the other models' rows of the last run (e.g. ISNet from a --big run).
  const kept = (previous?.cells ?? []).filter((c) => !ran.has(c.model) && ZOO_MODELS.some((m) => m.id === c.model));
  const all = (): Cell[] =>
    [...kept, ...cells].sort(
      (a, b) =>
        ZOO_MODELS.findIndex((m) => m.id === a.model) - ZOO_MODELS.findIndex((m) => m.id === b.model) ||
        ENGINES.indexOf(a.engine) - ENGINES.indexOf(b.engine),
    );
  const counts = (): Record<string, number> =>
    Object.fromEntries(['ok', 'refused', 'wrong', 'crash', 'n/a'].map((s) => [s, all().filter((c) => c.status === s).length]));
  /** Written after every cell, so an interrupted --big run keeps what it measured. */
  const save = (): void => {
    const listed = ZOO_MODELS.filter((m) => all().some((c) => c.model === m.id));
    mkdirSync(join(repoRoot(), 'bench/results'), { recursive: true });
    writeFileSync(
      resultPath,
      `${JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          runs,
          tiers,
          cpus: cpus().length,
          loadAverage1m: loadavg()[0],
          zooDir: dir,
          tolerances: TOLERANCE,
          models: listed.map(({ id, package: pkg, sha256, bytes, io, spec, altSpec, expectedRefusals, notApplicable }) => ({
            id,
            package: pkg,
            sha256,
            bytes,
            io,
            spec,
            altSpec,
            expectedRefusals,
            notApplicable,
          })),
          counts: counts(),
          cells: all(),
        },
        null,
        2,
      )}\n`,
    );
  };
  const skip = option('--skip')?.split(',') ?? [];
  try {
    for (const model of chosen) {
      const heavy = !model.ci;
      const types = await inputTypes(paths[model.id]);
      // The heavy models run partition last: it is the longest (a shape probe and three splits at 1024²).
      const order = heavy ? [...ENGINES.filter((e) => e !== 'partition'), 'partition' as const] : ENGINES;
      for (const engine of order.filter((e) => !skip.includes(e))) {
        process.stderr.write(`zoo: ${model.id} × ${engine}… `);
        const cell = await runEngine(engine, {
          model,
          path: paths[model.id],
          work: join(work, model.id, engine),
          types,
          tiers,
          benchRuns: Number(option('--runs') ?? (heavy ? 2 : 20)),
          timeoutMs: heavy ? 12 * 60_000 : 5 * 60_000,
          calibrationSamples: heavy ? 2 : 8,
          partitionCuts: 3,
        });
        process.stderr.write(`${cellText(cell)}${cell.message ? ` — ${cell.message.slice(0, 200)}` : ''} (${cell.seconds} s)\n`);
        cells.push(cell);
        save();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`${table(all())}\n`);
  process.stdout.write(
    `${Object.entries(counts())
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
