import { Injectable } from '@nestjs/common';
import type { Advice, StudyInput } from '../../advisor';
import { route, tierLinks } from '../../benchmark/network';
import { BlobsService } from '../../blobs/blobs.service';
import type { TensorSpec } from '../../onnx/io-spec';
import { notRun, verifyScenario, type Verification } from '../../netlab/verify';
import type { StudyView } from '../study.views';
import type { VariantRecord } from '../variants.repository';
import { StudyRequests } from './study-requests';

/** The study option `effort.verify`: the top recommendation's scenario measured on a real stack (src/netlab/verify.ts). */
@Injectable()
export class RecommendationVerifier {
  constructor(
    private readonly blobs: BlobsService,
    private readonly requests: StudyRequests,
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
      predicted: {
        p50Ms: top.latency.p50Ms,
        networkMs: top.latency.networkMs,
        computeP50Ms: top.latency.computeP50Ms,
        ...(top.latency.inputDecodeMs !== undefined ? { inputDecodeMs: top.latency.inputDecodeMs } : {}),
      },
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
    const request = await this.requests.bodies(study, modelInputs, input.network?.request?.encoding ?? 'encoded');
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
}
