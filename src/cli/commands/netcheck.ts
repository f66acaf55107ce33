import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { TierwiseError } from '../../common/errors';
import { repoRoot } from '../../common/paths';
import { hopMs } from '../../benchmark/network';
import { measureThrottledTransfer } from '../../benchmark/throttled-link';

interface NetcheckOptions { mbps: string; rtt: string; payload: string[]; maxMs: string; json?: boolean }

const collect = (value: string, previous: string[]) => [...previous, value];

/** Real bytes a request carries: an encoded image, a tokenized sentence, a whole model file. */
function defaultPayloads(): Array<{ name: string; bytes: Uint8Array }> {
  const fixtures = join(repoRoot(), 'test/fixtures');
  const tokens = JSON.parse(readFileSync(join(fixtures, 'sentiment-bert/test-100.tokens.json'), 'utf8')) as { input_ids: number[][]; attention_mask: number[][] };
  const ids = BigInt64Array.from([...tokens.input_ids[0]!, ...tokens.attention_mask[0]!], BigInt);
  return [
    { name: 'fashion PNG', bytes: readFileSync(join(fixtures, 'fashion-resnet/eval-100/Bag/00018.png')) },
    { name: 'sentence tokens (int64)', bytes: new Uint8Array(ids.buffer) },
    { name: 'fashion-resnet-distilled.onnx', bytes: readFileSync(join(fixtures, 'fashion-resnet/models/fashion-resnet-distilled.onnx')) },
  ];
}

export function register(program: Command): void {
  program
    .command('netcheck')
    .description('send real payloads through a throttled loopback link and compare with the link model')
    .option('--mbps <list>', 'bandwidths in Mbps', '1,10,50,200')
    .option('--rtt <ms>', 'round-trip time of the emulated link', '10')
    .option('--payload <file>', 'a payload file (repeatable; default: fixture image, tokens, model)', collect, [])
    .option('--max-ms <ms>', 'skip transfers the model says take longer', '3000')
    .option('--json', 'print the result as one JSON object')
    .action(async (options: NetcheckOptions) => {
      const bandwidths = options.mbps.split(',').map(Number);
      const rttMs = Number(options.rtt);
      const maxMs = Number(options.maxMs);
      if (bandwidths.some((b) => !(b > 0)) || !(rttMs >= 0) || !(maxMs > 0)) throw new TierwiseError('ARGUMENT_INVALID', '--mbps must be positive numbers, --rtt >= 0, --max-ms > 0', 400);
      const payloads = options.payload.length > 0 ? options.payload.map((path) => ({ name: path, bytes: readFileSync(path) })) : defaultPayloads();
      const rows: Array<{ payload: string; bytes: number; mbps: number; rttMs: number; modelMs: number; measuredMs: number; errorPct: number }> = [];
      for (const payload of payloads) {
        for (const mbps of bandwidths) {
          const modelMs = hopMs(payload.bytes.length, { mbps, rttMs });
          if (modelMs > maxMs) { process.stderr.write(`skip ${payload.name} at ${mbps} Mbps (model ${modelMs.toFixed(0)} ms > --max-ms)\n`); continue; }
          const measuredMs = await measureThrottledTransfer(payload.bytes, { mbps, rttMs });
          rows.push({ payload: payload.name, bytes: payload.bytes.length, mbps, rttMs, modelMs, measuredMs, errorPct: ((measuredMs - modelMs) / modelMs) * 100 });
        }
      }
      if (options.json) { process.stdout.write(`${JSON.stringify({ formula: 'rttMs + bytes × 8 / (mbps × 10^6) s', rows })}\n`); return; }
      process.stdout.write(`${'payload'.padEnd(32)} ${'bytes'.padStart(9)} ${'Mbps'.padStart(6)} ${'model ms'.padStart(10)} ${'measured'.padStart(10)} ${'diff ms'.padStart(8)} ${'error'.padStart(8)}\n`);
      for (const r of rows) {
        process.stdout.write(`${r.payload.padEnd(32)} ${String(r.bytes).padStart(9)} ${String(r.mbps).padStart(6)} ${r.modelMs.toFixed(2).padStart(10)} ${r.measuredMs.toFixed(2).padStart(10)} ${(r.measuredMs - r.modelMs).toFixed(2).padStart(8)} ${`${r.errorPct.toFixed(1)}%`.padStart(8)}\n`);
      }
    });
}
