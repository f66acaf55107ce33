import { exchangeCost, exchangeMs, resolveTransport, type Connection, type Transport } from '../benchmark/network';
import { TierwiseError } from '../common/errors';
import { Lab, labUnavailable } from './lab';

/**
 * The transfer model beside the kernel's TCP: for each link (bandwidth, RTT) two namespaces are joined by the
 * delay line, and real payloads go over TCP in each connection mode. A sample is the time from the first byte
 * (per request: from connect) until a one-byte answer arrives; a row is the median of `repeats` samples.
 *
 * The model is given what the lab is: plain TCP (no TLS), the delay line's 1500-byte MTU, a rate that counts
 * IP + TCP headers (the delay line shapes IP packets), the namespaces' congestion control (reno restarts slow
 * start after idle like cubic; bbr does not) and one measured constant per connection mode, `endpointMs`: the
 * harness's own cost of an exchange (a 1-byte exchange in that mode minus the model's figure for it: the RTT, and
 * per request the handshake), which a real app's stack also pays.
 */
export interface NetcheckOptions {
  mbps: number[];
  rttMs: number[];
  bytes: number[];
  connections: Connection[];
  congestionControl: 'reno' | 'bbr';
  idleGapMs: number;
  repeats: number;
  measure: boolean;
  /** Skip points the model says take longer than this. */
  maxMs: number;
  log?: (line: string) => void;
}

export interface NetcheckRow {
  bytes: number;
  mbps: number;
  rttMs: number;
  connection: Connection;
  modelMs: number;
  /**
   * At a slow-start restart boundary (the kernel restarts from either of two windows), the model's two figures;
   * null elsewhere. `modelMs` is the likelier of them.
   */
  modelSpanMs: [number, number] | null;
  measuredMs: number | null;
  errorPct: number | null;
  /** The error against the span: 0 inside it, else to its nearer end; equal to errorPct without a span. */
  spanErrorPct: number | null;
  samplesMs: number[];
  endpointMs: number;
  congestionControl: string;
  transport: Transport;
}

/** Samples of the 1-byte exchange that gives `endpointMs`. */
const FLOOR_REPEATS = 7;

/** The 8-byte length prefix netcheck's client sends before the payload. */
export const FRAME_BYTES = 8;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function labTransport(
  connection: Connection,
  options: Pick<NetcheckOptions, 'congestionControl' | 'idleGapMs'>,
  endpointMs: number,
): Transport {
  return resolveTransport({
    connection,
    idleGapMs: options.idleGapMs,
    tls: 'none',
    mtu: 1500,
    headerBytes: 52,
    slowStartRestart: options.congestionControl !== 'bbr',
    endpointMs,
  });
}

export function modelRow(bytes: number, mbps: number, rttMs: number, transport: Transport): number {
  return exchangeMs(bytes + FRAME_BYTES, 1, { mbps, rttMs, transport });
}

function modelSpan(bytes: number, mbps: number, rttMs: number, transport: Transport): [number, number] | null {
  const cost = exchangeCost(bytes + FRAME_BYTES, 1, { mbps, rttMs, transport });
  return cost.highMs > cost.lowMs ? [cost.lowMs, cost.highMs] : null;
}

function spanError(modelMs: number, span: [number, number] | null, measuredMs: number): number {
  const [low, high] = span ?? [modelMs, modelMs];
  const nearest = measuredMs < low ? low : measuredMs > high ? high : measuredMs;
  return ((nearest - measuredMs) / measuredMs) * 100;
}

export async function netcheck(options: NetcheckOptions): Promise<{ rows: NetcheckRow[]; skipped: string[] }> {
  if (options.measure) {
    const why = labUnavailable();
    if (why) throw new TierwiseError('NETLAB_UNAVAILABLE', `netcheck cannot measure here: it ${why}`);
  }
  const rows: NetcheckRow[] = [];
  const skipped: string[] = [];
  for (const mbps of options.mbps) {
    for (const rttMs of options.rttMs) {
      const points = options.connections
        .flatMap((connection) => options.bytes.map((bytes) => ({ connection, bytes })))
        .filter(({ connection, bytes }) => {
          const ms = modelRow(bytes, mbps, rttMs, labTransport(connection, options, 0));
          if (ms <= options.maxMs) return true;
          skipped.push(`${bytes} B at ${mbps} Mbps / ${rttMs} ms ${connection}: model ${ms.toFixed(0)} ms > ${options.maxMs} ms`);
          return false;
        });
      if (points.length === 0) continue;
      if (!options.measure) {
        for (const { connection, bytes } of points) {
          const transport = labTransport(connection, options, 0);
          rows.push({
            bytes,
            mbps,
            rttMs,
            connection,
            modelMs: modelRow(bytes, mbps, rttMs, transport),
            modelSpanMs: modelSpan(bytes, mbps, rttMs, transport),
            measuredMs: null,
            errorPct: null,
            spanErrorPct: null,
            samplesMs: [],
            endpointMs: 0,
            congestionControl: options.congestionControl,
            transport,
          });
        }
        continue;
      }
      const lab = await Lab.open({ mbps, rttMs, congestionControl: options.congestionControl });
      try {
        for (const connection of options.connections) {
          const sizes = points.filter((p) => p.connection === connection).map((p) => p.bytes);
          if (sizes.length === 0) continue;
          // The harness's own cost in this mode (a new connection also pays socket set-up and accept).
          // Kept-alive: after the same idle gap as the rows (a host waking from idle is slower than a busy one).
          // Median of 7: with 3 samples one scheduling hiccup on this shared host moved it by 1–2 ms, which was the whole
          // error of the few-ms rows at RTT 0–5 ms.
          const [floor] = await lab.measure({ bytes: [1], connection, repeats: FLOOR_REPEATS, idleGapMs: options.idleGapMs });
          const endpointMs = Math.max(0, median(floor!.samplesMs) - modelRow(1, mbps, rttMs, labTransport(connection, options, 0)));
          const measured = await lab.measure({ bytes: sizes, connection, repeats: options.repeats, idleGapMs: options.idleGapMs });
          for (const { bytes, samplesMs } of measured) {
            const transport = labTransport(connection, options, endpointMs);
            const modelMs = modelRow(bytes, mbps, rttMs, transport);
            const modelSpanMs = modelSpan(bytes, mbps, rttMs, transport);
            const measuredMs = median(samplesMs);
            const row = {
              bytes,
              mbps,
              rttMs,
              connection,
              modelMs,
              modelSpanMs,
              measuredMs,
              errorPct: ((modelMs - measuredMs) / measuredMs) * 100,
              spanErrorPct: spanError(modelMs, modelSpanMs, measuredMs),
              samplesMs,
              endpointMs,
              congestionControl: options.congestionControl,
              transport,
            };
            rows.push(row);
            options.log?.(
              `${mbps} Mbps ${rttMs} ms ${connection} ${bytes} B: model ${modelMs.toFixed(1)} ms${modelSpanMs ? ` (restart boundary: ${modelSpanMs[0].toFixed(1)}–${modelSpanMs[1].toFixed(1)})` : ''}, kernel ${measuredMs.toFixed(1)} ms (${row.errorPct.toFixed(1)}%)`,
            );
          }
        }
      } finally {
        await lab.close();
      }
    }
  }
  return { rows, skipped };
}
