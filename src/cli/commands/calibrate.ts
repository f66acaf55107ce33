import type { Command } from 'commander';
import { readDeviceReference, coreSpeedFrom } from '../../benchmark/calibration';
import { parseShapeArgs } from '../../benchmark/inputs';
import { measure } from '../../benchmark/runner';
import { integer } from './bench';

interface CalibrateOptions {
  device: string;
  tier: string;
  threads?: string;
  shape: string[];
  runs: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  program
    .command('calibrate <model>')
    .description("derive a tier's coreSpeed: measure a reference model here and compare with its p50 on a real device")
    .requiredOption(
      '--device <ms|file.json>',
      "the device's p50 in ms, or `tierwise bench --envelope native --json` output from the device",
    )
    .option('--tier <name>', 'the tier to calibrate', 'mobile')
    .option('--threads <n>', 'threads the device used (default: from the device JSON, else 1)')
    .option('--shape <name=d1,d2,...>', 'input shape (default: from the device JSON)', collect, [])
    .option('--runs <n>', 'timed runs here', '100')
    .option('--json', 'print the result as one JSON object')
    .action(async (model: string, options: CalibrateOptions) => {
      const device = readDeviceReference(options.device);
      const threads = integer(options.threads, '--threads', 1) ?? device.threads ?? 1;
      const shapes = options.shape.length > 0 ? parseShapeArgs(options.shape) : (device.inputShapes ?? {});
      process.stderr.write(`measuring ${model} here on ${threads} pinned core(s)…\n`);
      const host = await measure({
        modelPath: model,
        tier: options.tier,
        tierOverride: { threads, cpus: threads, coreSpeed: 1 },
        method: 'scaled',
        runs: integer(options.runs, '--runs', 5),
        inputs: { kind: 'synthetic', shapes },
      });
      const coreSpeed = coreSpeedFrom(host.raw.p50, device.p50Ms);
      const config = { [options.tier]: { coreSpeed: Number(coreSpeed.toPrecision(4)) } };
      const result = {
        tier: options.tier,
        threads,
        hostP50Ms: host.raw.p50,
        hostP50CI: host.raw.p50CI,
        deviceP50Ms: device.p50Ms,
        coreSpeed,
        formula: 'coreSpeed = p50_host / p50_device (same model, shapes, threads, onnxruntime options)',
        tierConfig: config,
        envelope: host.envelope.method,
        warnings: host.warnings,
      };
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      process.stdout.write(
        [
          `host p50 ${host.raw.p50.toFixed(3)} ms (95% CI ${host.raw.p50CI.low.toFixed(3)}–${host.raw.p50CI.high.toFixed(3)}, ${threads} thread(s), ${host.envelope.method})`,
          `device p50 ${device.p50Ms.toFixed(3)} ms (${device.source})`,
          `coreSpeed = ${host.raw.p50.toFixed(3)} / ${device.p50Ms.toFixed(3)} = ${coreSpeed.toFixed(4)}`,
          `put this in TIERWISE_TIERS (or the file named by TIERWISE_TIERS_FILE): ${JSON.stringify(config)}`,
          '',
        ].join('\n'),
      );
    });
}
