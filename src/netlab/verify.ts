import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTransport, mssOf, resolveTransport, scenarioNetworkMs, type Link } from '../benchmark/network';
import { siblingEntry } from '../common/paths';
import { Lab, labUnavailable } from './lab';
import type { RequestDecoding } from '../benchmark/request-decode';
import type { VerifyClientPlan, VerifyServerConfig } from './verify-peer';

/**
 * `verify`: the top recommendation's scenario run for real. The client namespace stands for the phone, the
 * server namespace for the tier that answers; the delay line between them is the study's mobile–edge link. The
 * client sends the study's actual request bodies (the dataset's encoded images, or its raw input tensors) over
 * HTTP/1.1 on one kept-alive connection with the transport's idle gap between requests (MOBILE_TRANSPORT: what
 * a phone app does), and the server runs the variant with onnxruntime and returns its outputs. The measured p50
 * stands beside the advisor's predicted p50 (compute measured on the tier + the transfer model's network share).
 *
 * What it does not emulate, said in the result rather than guessed: the tier's hardware (the server runs on this
 * host's cores), TLS (plain HTTP; on a kept-alive connection TLS adds no round trip), and routes of more than one
 * hop (cloud, edge|cloud and partitions are recorded as not run).
 */
export interface VerifyInput {
  scenario: string;
  variantId: string;
  predicted: { p50Ms: number; networkMs: number; computeP50Ms: number; inputDecodeMs?: number };
  /** The link the request crosses (one hop). */
  link: Link;
  modelPath: string;
  decoding: RequestDecoding;
  bodies: Buffer[];
  /** The request and response bytes the prediction moved. */
  predictedRequestBytes: number;
  predictedResponseBytes: number;
  repeats?: number;
  threads?: number;
}

export interface Verification {
  status: 'measured' | 'not-run';
  /** Why it did not run (never a figure in its place). */
  reason?: string;
  scenario: string;
  variantId: string;
  predictedP50Ms: number;
  predictedNetworkMs: number;
  predictedComputeP50Ms: number;
  /** The input decode the prediction counted (measured by the advise job on the study's requests, scaled to the tier). */
  predictedInputDecodeMs?: number;
  measuredP50Ms?: number;
  samplesMs?: number[];
  /** (measured − predicted) / predicted, in %. */
  gapPct?: number;
  /** |gap| over GAP_FLAG_PCT. */
  flagged?: boolean;
  link?: { mbps: number; rttMs: number; transport: string };
  /** The network model's figure for the bytes actually sent (HTTP framing included). */
  modelledNetworkMs?: number;
  /** Median per request on the server: decoding the body into the input tensors (an encoded image: decode and
   * preprocess), and the onnxruntime run. The prediction's compute share covers the run only. */
  serverDecodeP50Ms?: number;
  serverRunP50Ms?: number;
  /**
   * measured − (modelled network + server decode + server run): the per-request cost no term accounts for (both
   * ends' HTTP and socket handling, process wake-ups after the idle gap). netcheck measures the same for raw TCP
   * as `endpointMs`; the study's prediction has none.
   */
  unaccountedMs?: number;
  /** How far the transfer model plus the server's own measured times are from the measured p50, in %. */
  explainedGapPct?: number;
  requestBytesSent?: number;
  responseBytesReceived?: number;
  notes?: string[];
}

export const GAP_FLAG_PCT = 15;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The HTTP/1.1 request line and headers node:http sends ahead of the body, and the response's status line and headers. */
const HTTP_REQUEST_HEAD_BYTES = 130;
const HTTP_RESPONSE_HEAD_BYTES = 130;

export function notRun(input: Pick<VerifyInput, 'scenario' | 'variantId' | 'predicted'>, reason: string): Verification {
  return {
    status: 'not-run',
    reason,
    scenario: input.scenario,
    variantId: input.variantId,
    predictedP50Ms: input.predicted.p50Ms,
    predictedNetworkMs: input.predicted.networkMs,
    predictedComputeP50Ms: input.predicted.computeP50Ms,
    ...(input.predicted.inputDecodeMs !== undefined ? { predictedInputDecodeMs: input.predicted.inputDecodeMs } : {}),
  };
}

export async function verifyScenario(input: VerifyInput): Promise<Verification> {
  const why = labUnavailable();
  if (why) return notRun(input, `the lab ${why}`);
  const transport = resolveTransport(input.link.transport);
  if (transport.lossRate > 0) return notRun(input, 'the delay line has no loss model; a link with lossRate > 0 is not emulated');
  const dir = mkdtempSync(join(tmpdir(), 'tierwise-verify-'));
  try {
    const bodyFiles = input.bodies.map((body, i) => {
      const file = join(dir, `body-${i}`);
      writeFileSync(file, body);
      return file;
    });
    const serverConfig: VerifyServerConfig = { modelPath: input.modelPath, threads: input.threads ?? 1, decoding: input.decoding };
    writeFileSync(join(dir, 'server.json'), JSON.stringify(serverConfig));
    const plan: VerifyClientPlan = {
      bodies: bodyFiles,
      repeats: input.repeats ?? 7,
      connection: transport.connection,
      idleGapMs: transport.idleGapMs,
    };
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
    const entry = siblingEntry(__filename, 'verify-peer');
    // The study's bandwidth is goodput (headerBytes 0); the delay line shapes IP packets, so it runs faster by
    // the header share to deliver that goodput.
    const mss = mssOf(transport.mtu);
    const ipMbps = transport.headerBytes > 0 ? input.link.mbps : (input.link.mbps * (mss + 52)) / mss;
    const lab = await Lab.open({
      mbps: ipMbps,
      rttMs: input.link.rttMs,
      congestionControl: transport.slowStartRestart ? 'reno' : 'bbr',
      server: { entry, args: ['serve', join(dir, 'server.json')] },
    });
    let result: { samplesMs: number[]; decodeMs: number[]; runMs: number[]; responseBytes: number; requestBytes: number[] };
    try {
      result = JSON.parse((await lab.runClient(entry, 'measure', [join(dir, 'plan.json')])).trim()) as typeof result;
    } finally {
      await lab.close();
    }
    const measuredP50Ms = median(result.samplesMs);
    const gapPct = ((measuredP50Ms - input.predicted.p50Ms) / input.predicted.p50Ms) * 100;
    const sent = result.requestBytes.reduce((s, b) => s + b, 0) / result.requestBytes.length;
    const modelled = scenarioNetworkMs(
      { kind: 'offload' },
      { requestBytes: sent + HTTP_REQUEST_HEAD_BYTES, responseBytes: result.responseBytes + HTTP_RESPONSE_HEAD_BYTES },
      [{ ...input.link, from: 'mobile', to: 'edge' }],
    ).totalMs;
    const decodeMs = median(result.decodeMs);
    const runMs = median(result.runMs);
    const notes = [
      `the server ran the variant on this host's cores (${serverConfig.threads} thread), not on the tier's hardware; the prediction's compute share is the tier's`,
      'plain HTTP/1.1 (no TLS): on a kept-alive connection TLS adds no round trip',
      `${plan.repeats} requests after a warm-up, ${plan.idleGapMs} ms idle before each (the transport's idle gap)`,
    ];
    if (input.decoding.kind === 'image')
      notes.push(
        `the server decoded each encoded image (${decodeMs.toFixed(1)} ms p50); the prediction counted ${input.predicted.inputDecodeMs !== undefined ? `${input.predicted.inputDecodeMs.toFixed(1)} ms for it (the advise job's measurement on the study's requests)` : 'none (not measured)'}`,
      );
    // the prediction's request bytes include an app's HTTP framing (HTTP_REQUEST_FRAMING_BYTES); this client's is smaller
    const sentWithHead = sent + HTTP_REQUEST_HEAD_BYTES;
    if (Math.abs(sentWithHead - input.predictedRequestBytes) > Math.max(160, 0.05 * input.predictedRequestBytes))
      notes.push(
        `sent ${sentWithHead.toFixed(0)} B per request on average (body and HTTP head); the prediction moved ${input.predictedRequestBytes.toFixed(0)} B`,
      );
    return {
      status: 'measured',
      scenario: input.scenario,
      variantId: input.variantId,
      predictedP50Ms: input.predicted.p50Ms,
      predictedNetworkMs: input.predicted.networkMs,
      predictedComputeP50Ms: input.predicted.computeP50Ms,
      ...(input.predicted.inputDecodeMs !== undefined ? { predictedInputDecodeMs: input.predicted.inputDecodeMs } : {}),
      measuredP50Ms,
      samplesMs: result.samplesMs,
      gapPct,
      flagged: Math.abs(gapPct) > GAP_FLAG_PCT,
      link: { mbps: input.link.mbps, rttMs: input.link.rttMs, transport: describeTransport(transport) },
      modelledNetworkMs: modelled,
      serverDecodeP50Ms: decodeMs,
      serverRunP50Ms: runMs,
      unaccountedMs: measuredP50Ms - modelled - decodeMs - runMs,
      explainedGapPct: ((measuredP50Ms - (modelled + decodeMs + runMs)) / (modelled + decodeMs + runMs)) * 100,
      requestBytesSent: sent,
      responseBytesReceived: result.responseBytes,
      notes,
    };
  } catch (error) {
    return notRun(input, `the lab run failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
