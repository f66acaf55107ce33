import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import type { RequestDecodeCost, RequestEncoding } from '../../benchmark/network';
import { loadSamples } from '../../benchmark/inputs';
import { measureRequestDecode, requestDecodeCost, type RequestDecoding } from '../../benchmark/request-decode';
import { resolveTier, type TierProfile } from '../../benchmark/tiers';
import { listImages } from '../../datasets/formats/image-dataset';
import { openDatasetSource } from '../../datasets/formats/dataset-source';
import { suggestPreprocess, type ImagePreprocessSpec } from '../../datasets/formats/preprocess-spec';
import type { TensorSpec } from '../../onnx/io-spec';
import { jsonBase64Body } from '../../netlab/json-base64';
import { StudyDatasets } from '../study-datasets';
import type { StudyView } from '../study.views';

/** Distinct request bodies taken from the dataset (so sizes and decode times average as the dataset's do). */
const BODIES = 8;

/** The bodies as sent, how the server reads them, and the samples as the client holds them (before any JSON wrapping). */
export type StudyRequestBodies = { bodies: Buffer[]; decoding: RequestDecoding; samples: Buffer[] } | { reason: string };

/**
 * A study's client requests, one front door for the two things that need them: what the server spends reading
 * one (`decodeCost`, counted in every offload's predicted latency) and the bodies `effort.verify` sends for real.
 * The bodies are the dataset's own samples as the study's request encoding puts them on the wire: its image files,
 * its tensors raw, either base64'd in JSON.
 */
@Injectable()
export class StudyRequests {
  constructor(private readonly datasets: StudyDatasets) {}

  async bodies(study: StudyView & { teamId: string }, modelInputs: TensorSpec[], encoding: RequestEncoding): Promise<StudyRequestBodies> {
    if (!study.datasetId) return { reason: 'the study has no dataset, so there is no client request to read' };
    const opened = await this.datasets.open(study.teamId, study.datasetId);
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
          return {
            bodies: wrap(bodies),
            decoding: { kind: 'image', inputName: spec.input ?? modelInputs[0]!.name, spec, json },
            samples: bodies,
          };
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
          samples: bodies,
        };
      }
      return {
        reason: `the client of a ${kind} dataset sends ${kind === 'text' ? 'text' : 'audio'}, which the server side does not ${kind === 'text' ? 'tokenize' : 'decode'} yet`,
      };
    } finally {
      await opened.close();
    }
  }

  /**
   * What reading one request costs on each of `tiers`: the study's own bodies decoded one at a time on this host
   * (after a warm-up round), scaled to each tier's one-thread speed. Not measured — with the reason — where there
   * are no bodies to decode.
   */
  async decodeCost(
    study: StudyView & { teamId: string },
    modelInputs: TensorSpec[],
    encoding: RequestEncoding,
    tiers: string[],
  ): Promise<RequestDecodeCost> {
    let request: StudyRequestBodies;
    let measured: Parameters<typeof requestDecodeCost>[1];
    try {
      request = await this.bodies(study, modelInputs, encoding);
      if ('reason' in request) return { status: 'not-measured', encoding, reason: request.reason };
      const sent = await measureRequestDecode(request.bodies, request.decoding);
      // The device running the model holds the encoded file (decoded there, no JSON around it: the same work as the
      // request when it is sent bare, so the same figure), or the tensors themselves (nothing to read).
      const held =
        request.decoding.kind !== 'image'
          ? { p50Ms: 0 }
          : request.decoding.json
            ? await measureRequestDecode(request.samples, { ...request.decoding, json: false })
            : sent;
      measured = { request: sent, sample: held };
    } catch (error) {
      // A study is ranked without it rather than failed: the report says the term is missing and why.
      return {
        status: 'not-measured',
        encoding,
        reason: `decoding the study's requests failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const profiles: Record<string, TierProfile> = {};
    for (const tier of tiers) profiles[tier] = study.tierProfiles?.[tier] ?? resolveTier(tier);
    const image = request.decoding.kind === 'image';
    const sent = `${image ? 'decoding and preprocessing the image' : 'copying the raw tensors out'}${request.decoding.json ? ' of the JSON/base64 body' : ''}`;
    const held = image ? 'decoding and preprocessing the image file' : 'nothing (the client holds the tensors)';
    return requestDecodeCost(
      encoding,
      measured,
      profiles,
      `where the request arrives, ${sent}; on the device running the model itself, ${held}: medians of ${measured.request.samplesMs.length} decodes of ${request.bodies.length} of the dataset's samples on one host core, × the tier's one-thread slowdown 1 / (min(cpus, 1) × coreSpeed)`,
    );
  }
}
