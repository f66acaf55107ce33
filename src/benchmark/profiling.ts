import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TierwiseError } from '../common/errors';

/** Time spent in one node of the *optimized* graph (fused nodes carry onnxruntime's names, e.g. `..._nchwc`). */
export interface NodeTime {
  node: string;
  opType: string;
  /** Mean kernel time per inference, ms (raw host time). */
  meanMs: number;
  calls: number;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string };
}

const KERNEL_SUFFIX = '_kernel_time';

/** Sums the per-node kernel times of an onnxruntime profiling trace (Chrome trace JSON) over `runs` inferences. */
export function parseProfileTrace(events: unknown, runs: number): NodeTime[] {
  if (!Array.isArray(events)) throw new TierwiseError('PROFILE_INVALID', 'an onnxruntime profile must be a JSON array of trace events');
  const totals = new Map<string, { opType: string; us: number; calls: number }>();
  for (const event of events as TraceEvent[]) {
    if (event?.cat !== 'Node' || typeof event.name !== 'string' || !event.name.endsWith(KERNEL_SUFFIX)) continue;
    const node = event.name.slice(0, -KERNEL_SUFFIX.length);
    const entry = totals.get(node) ?? { opType: event.args?.op_name ?? '', us: 0, calls: 0 };
    entry.us += event.dur ?? 0;
    entry.calls += 1;
    totals.set(node, entry);
  }
  return [...totals.entries()]
    .map(([node, t]) => ({ node, opType: t.opType, meanMs: t.us / 1000 / Math.max(1, runs), calls: t.calls }))
    .sort((a, b) => b.meanMs - a.meanMs);
}

/** Reads and removes the trace file onnxruntime wrote under `dir` (it appends a timestamp to the prefix). */
export function takeProfileTrace(dir: string, runs: number): NodeTime[] {
  const file = readdirSync(dir).find((name) => name.endsWith('.json'));
  if (!file) throw new TierwiseError('PROFILE_MISSING', `onnxruntime wrote no profile under ${dir}`);
  try {
    return parseProfileTrace(JSON.parse(readFileSync(join(dir, file), 'utf8')), runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
