import type { Accuracy, StudyInput, TierMeasurement, VariantInfo } from '../../advisor';
import { studyRequest, type RequestDecodeCost } from '../../benchmark/network';
import type { TensorSpec } from '../../onnx/io-spec';
import type { AccuracyRecord, MeasurementRecord } from '../results.repository';
import type { StudyView } from '../study.views';
import type { VariantRecord } from '../variants.repository';
import { isPartition } from '../study-flow';
import { variantLabel } from './variant-label';

const ELEMENT_BYTES: Record<string, number> = { float32: 4, float16: 2, float64: 8, int64: 8, int32: 4, int8: 1, uint8: 1, bool: 1 };

/** Bytes of one batch-1 tensor; symbolic dimensions count as 1. */
export function tensorBytes(spec: TensorSpec): number {
  const count = (spec.shape ?? []).reduce<number>((n, d) => n * (typeof d === 'number' && d > 0 ? d : 1), 1);
  return count * (ELEMENT_BYTES[spec.elemType] ?? 4);
}

export interface AdviseSources {
  study: StudyView;
  variants: VariantRecord[];
  measurements: MeasurementRecord[];
  accuracy: AccuracyRecord[];
  modelInputs: TensorSpec[];
  modelOutputs: TensorSpec[];
  /** What reading a request costs per tier, as the advise job measured it (kept in the stored report). */
  requestDecode?: RequestDecodeCost;
}

/**
 * The advisor's input from what the study stored. A partition has its source's accuracy (head∘tail computes the
 * same function); its cut is keyed per variant. The request payload is what a client sends: the dataset's encoded
 * samples when there is one, else the raw input tensors.
 */
export function adviseInput({
  study,
  variants,
  measurements,
  accuracy,
  modelInputs,
  modelOutputs,
  requestDecode,
}: AdviseSources): StudyInput {
  const ready = variants.filter((v) => v.status === 'ready');
  const baseline = ready.find((v) => v.operators.length === 1 && v.operators[0] === 'identity');
  if (!baseline) throw new Error('the baseline variant is not ready');
  const accuracyOf = new Map(accuracy.map((a) => [a.variantId, a]));
  const toAccuracy = (variantId: string | null): Accuracy | undefined => {
    const a = variantId ? accuracyOf.get(variantId) : undefined;
    return a ? { value: a.value, low: a.ciLow ?? a.value, high: a.ciHigh ?? a.value } : undefined;
  };
  const fidelityOf = (variantId: string | null): number | undefined => {
    const primary = (accuracyOf.get(variantId ?? '')?.fidelity as { primary?: { value?: number } } | null | undefined)?.primary;
    return typeof primary?.value === 'number' ? primary.value : undefined;
  };
  const infos: VariantInfo[] = ready.map((v) => {
    const source = isPartition(v) ? v.parentId : v.id;
    const fidelity = fidelityOf(source);
    return {
      id: v.id,
      operators: v.operators,
      label: variantLabel(v.operators),
      sizeBytes: v.sizeBytes ?? 0,
      accuracy: toAccuracy(source),
      ...(fidelity !== undefined ? { fidelity } : {}),
    };
  });
  const cutIds = partitionCutIds(ready.filter(isPartition));
  const cutBytes: Record<string, number> = {};
  for (const v of ready.filter(isPartition)) cutBytes[cutIds.get(v.id)!] = Number(v.report?.cutBytes ?? 0);
  const byId = new Map(ready.map((v) => [v.id, v]));
  const tierMeasurements: TierMeasurement[] = measurements
    .filter((m) => byId.has(m.variantId) && m.samplesMs && m.samplesMs.length > 0)
    .map((m) => ({
      variantId: m.variantId,
      tier: m.tier as TierMeasurement['tier'],
      part: m.part as TierMeasurement['part'],
      cut: m.part === 'whole' ? undefined : cutIds.get(m.variantId),
      samplesMs: m.samplesMs!,
      p50Ms: m.p50Ms,
      peakMemoryBytes: m.peakRssBytes,
      ...(m.noisy ? { noisyShare: m.foreignCpuShare ?? 0 } : {}),
    }));
  const payload = accuracyOf.get(baseline.id)?.payload;
  // the shapes the baseline ran at (recorded since 0005), not the declared ones with symbolic dims
  const tensorBytesOf = () =>
    modelInputs.reduce(
      (s, spec) =>
        s +
        tensorBytes({
          ...spec,
          shape:
            measurements.find((m) => m.variantId === baseline.id && m.inputShapes?.[spec.name])?.inputShapes?.[spec.name]?.shape ??
            spec.shape,
        }),
      0,
    );
  // What the client sends: the study's encoding of the dataset's sample (rows before `encoded` was recorded held
  // the encoded size unless the two sizes agree, as they do for tensors).
  const encodedBytes =
    payload && (payload.encoded ?? payload.meanPayloadBytes !== payload.meanInputBytes) ? payload.meanPayloadBytes : undefined;
  const request = studyRequest(study.network.requestEncoding, { tensorBytes: payload?.meanInputBytes ?? tensorBytesOf(), encodedBytes });
  if (requestDecode && requestDecode.encoding === request.encoding) request.decode = requestDecode;
  return {
    baselineVariantId: baseline.id,
    variants: infos,
    measurements: tierMeasurements,
    payloads: {
      requestBytes: request.bytes,
      responseBytes: modelOutputs.reduce((s, spec) => s + tensorBytes(spec), 0),
      cutBytes,
    },
    network: { ...study.network, request },
    constraints: study.constraints,
    scenarios: study.scenarios as StudyInput['scenarios'],
  };
}

/**
 * A partition's cut, named by its tensor; the advisor keys cut sizes by that name, so two partitions that cut at
 * the same tensor with different sizes (an int8 and an fp32 graph) get the variant's id added.
 */
function partitionCutIds(partitions: VariantRecord[]): Map<string, string> {
  const tensor = (v: VariantRecord) => String(v.report?.cut ?? 'cut');
  const sizes = new Map<string, Set<number>>();
  for (const v of partitions) sizes.set(tensor(v), (sizes.get(tensor(v)) ?? new Set()).add(Number(v.report?.cutBytes ?? 0)));
  return new Map(partitions.map((v) => [v.id, (sizes.get(tensor(v))?.size ?? 0) > 1 ? `${tensor(v)}@${v.id.slice(0, 8)}` : tensor(v)]));
}
