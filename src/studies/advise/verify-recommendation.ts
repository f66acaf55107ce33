import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import type { Advice, StudyInput } from '../../advisor';
import { route, tierLinks, type RequestEncoding } from '../../benchmark/network';
import { loadSamples } from '../../benchmark/inputs';
import { BlobsService } from '../../blobs/blobs.service';
import { listImages } from '../../datasets/formats/image-dataset';
import { openDatasetSource } from '../../datasets/formats/dataset-source';
import { suggestPreprocess, type ImagePreprocessSpec } from '../../datasets/formats/preprocess-spec';
import type { TensorSpec } from '../../onnx/io-spec';
import { notRun, verifyScenario, type Verification } from '../../netlab/verify';
import { jsonBase64Body } from '../../netlab/json-base64';
import type { RequestDecoding } from '../../netlab/verify-peer';
import { StudyDatasets } from '../study-datasets';
import type { StudyView } from '../study.views';
import type { VariantRecord } from '../variants.repository';

/** Request bodies cycled through by the verify client (distinct samples, so sizes average as the dataset's do). */
const BODIES = 8;

/** The study option `effort.verify`: the top recommendation's scenario measured on a real stack (src/netlab/verify.ts). */
@Injectable()
export class RecommendationVerifier {
  constructor(
    private readonly blobs: BlobsService,
    private readonly datasets: StudyDatasets,
  ) {}

  /** Null when the study did not ask; otherwise a measurement or the reason there is none. */
  async verify(
    study: StudyView & { teamId: string },
    advice: Advice,
    input: StudyInput,
    variants: VariantRecord[],
    modelInputs: TensorSpec[],
  ): Promise<Verification | null> {
    if (!(study.effort as { verify?: boolean }).verify) return null;
    const top = advice.candidates.find((c) => c.id === advice.recommendedId);
    if (!top) return null;
    const base = {
      scenario: top.scenario,
      variantId: top.variantId,
      predicted: { p50Ms: top.latency.p50Ms, networkMs: top.latency.networkMs, computeP50Ms: top.latency.computeP50Ms },
    };
    if (top.scenario === 'mobile') return notRun(base, 'on-device: the request crosses no link, so there is no network figure to verify');
    if (top.scenario.includes('|'))
      return notRun(base, 'a partition runs on two tiers; verify runs single-tier offloads (one server process) only');
    const links = route('mobile', top.scenario, tierLinks(study.network));
    if (links.length !== 1)
      return notRun(base, `the ${top.scenario} scenario crosses ${links.length} links; the lab emulates one link between two namespaces`);
    const variant = variants.find((v) => v.id === top.variantId);
    if (!variant?.blobSha) return notRun(base, 'the recommended variant has no stored model file');
    if (!study.datasetId)
      return notRun(base, 'the study has no dataset, so there is no client request to send (verify sends the dataset’s own samples)');
    const request = await this.requestBodies(study, modelInputs, input.network?.request?.encoding ?? 'encoded');
    if ('reason' in request) return notRun(base, request.reason);
    return verifyScenario({
      ...base,
      link: links[0]!,
      modelPath: this.blobs.pathOf(variant.blobSha),
      decoding: request.decoding,
      bodies: request.bodies,
      predictedRequestBytes: input.payloads.requestBytes,
      predictedResponseBytes: input.payloads.responseBytes,
    });
  }

  /** What the client sends, as the study's request encoding says: the dataset's image files, its tensors raw, either in JSON/base64. */
  private async requestBodies(
    study: StudyView & { teamId: string },
    modelInputs: TensorSpec[],
    encoding: RequestEncoding,
  ): Promise<{ bodies: Buffer[]; decoding: RequestDecoding } | { reason: string }> {
    const opened = await this.datasets.open(study.teamId, study.datasetId!);
    const json = encoding === 'json-base64';
    const wrap = (bodies: Buffer[]) => (json ? bodies.map(jsonBase64Body) : bodies);
    try {
      const { path, kind, preprocess } = opened.forChild;
      if (kind === 'images' && encoding !== 'raw-tensor') {
        const source = await openDatasetSource(path, kind);
        try {
          const spec = (preprocess ?? suggestPreprocess(modelInputs)) as ImagePreprocessSpec;
          const files = listImages(source.path).entries.slice(0, BODIES);
          const bodies = await Promise.all(files.map((entry) => readFile(entry.file)));
          return { bodies: wrap(bodies), decoding: { kind: 'image', inputName: spec.input ?? modelInputs[0]!.name, spec, json } };
        } finally {
          await source.cleanup();
        }
      }
      if (kind === 'tensors' || kind === 'images') {
        const samples = loadSamples(await opened.samplesFile(BODIES, modelInputs), BODIES);
        const names = Object.keys(samples[0]!);
        const bodies = samples.map((s) =>
          Buffer.concat(names.map((n) => Buffer.from(s[n]!.data.buffer, s[n]!.data.byteOffset, s[n]!.data.byteLength))),
        );
        const first = samples[0]!;
        return {
          bodies: wrap(bodies),
          decoding: { kind: 'raw', inputs: names.map((n) => ({ name: n, type: first[n]!.type, dims: first[n]!.dims })), json },
        };
      }
      return {
        reason: `the client of a ${kind} dataset sends ${kind === 'text' ? 'text' : 'audio'}, which the verify server does not decode yet`,
      };
    } finally {
      await opened.close();
    }
  }
}
