import { z } from 'zod';
import { TierwiseError } from '../../common/errors';

import { TASKS, type Task } from './task-names';

export { TASKS, type Task };

export function isTask(value: unknown): value is Task {
  return typeof value === 'string' && (TASKS as readonly string[]).includes(value);
}

const outputName = z.string().min(1).max(200).optional();

export const detectionPostprocessSchema = z
  .object({
    format: z.enum(['yolov5', 'yolov8', 'boxes', 'probability-map']).default('yolov8'),
    scoreThreshold: z.number().min(0).max(1).default(0.001),
    iouThreshold: z.number().min(0).max(1).default(0.6),
    maxDetections: z.number().int().min(1).max(10_000).default(100),
    classAgnostic: z.boolean().default(false),
    output: outputName,
    /** How input-pixel boxes map back to the image; from the preprocess spec when absent (resize → resize, else none). */
    mapping: z.enum(['resize', 'letterbox', 'none']).optional(),
    /** probability-map only: pixels above this are foreground before connected components. */
    mapThreshold: z.number().min(0).max(1).default(0.3),
    /** probability-map only: components smaller than this many pixels are dropped. */
    minArea: z.number().int().min(1).default(4),
  })
  .strict();

export const segmentationPostprocessSchema = z
  .object({
    format: z.enum(['logits', 'probability']).default('logits'),
    threshold: z.number().min(0).max(1).default(0.5),
    output: outputName,
  })
  .strict();

export const sequencePostprocessSchema = z
  .object({
    decoder: z.literal('ctc-greedy').default('ctc-greedy'),
    blank: z.number().int().min(0).default(0),
    /** btc = [batch, time, classes]; tbc = [time, batch, classes]. Guessed from the output shape when absent. */
    layout: z.enum(['btc', 'tbc']).optional(),
    /** Characters by class index (the blank's entry is ignored); or a chars.txt in the dataset when absent. */
    charset: z.array(z.string()).max(100_000).optional(),
    output: outputName,
  })
  .strict();

export const multilabelPostprocessSchema = z
  .object({
    threshold: z.number().min(0).max(1).default(0.5),
    /** Whether the output is already a probability (sigmoid applied); logits get a sigmoid first. */
    activation: z.enum(['sigmoid', 'none']).default('sigmoid'),
    output: outputName,
  })
  .strict();

const plain = z.object({ output: outputName }).strict();

export type DetectionPostprocess = z.infer<typeof detectionPostprocessSchema>;
export type SegmentationPostprocess = z.infer<typeof segmentationPostprocessSchema>;
export type SequencePostprocess = z.infer<typeof sequencePostprocessSchema>;
export type MultilabelPostprocess = z.infer<typeof multilabelPostprocessSchema>;
export type PlainPostprocess = z.infer<typeof plain>;
export type Postprocess = DetectionPostprocess | SegmentationPostprocess | SequencePostprocess | MultilabelPostprocess | PlainPostprocess;

const SCHEMAS: Record<Task, z.ZodTypeAny> = {
  classification: plain,
  multilabel: multilabelPostprocessSchema,
  detection: detectionPostprocessSchema,
  segmentation: segmentationPostprocessSchema,
  sequence: sequencePostprocessSchema,
  regression: plain,
  embedding: plain,
};

/** Validates a postprocess spec for `task` and fills its defaults; POSTPROCESS_INVALID names the field. */
export function parsePostprocess(task: Task, raw: unknown): Postprocess {
  let body = raw ?? {};
  // a postprocess.json may name its task; it must then be this one
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'task' in body) {
    const { task: named, ...rest } = body as Record<string, unknown>;
    if (named !== task)
      throw new TierwiseError('POSTPROCESS_INVALID', `postprocess: the spec is for task ${String(named)}, the model's task is ${task}`);
    body = rest;
  }
  const parsed = SCHEMAS[task].safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : '(spec)';
    throw new TierwiseError('POSTPROCESS_INVALID', `postprocess for ${task}: ${where}: ${issue.message}`, {
      task,
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return parsed.data as Postprocess;
}

/** A tensor's dims as the inspector records them: numbers, symbolic names or null. */
type Dims = (number | string | null)[] | null;

interface OutputLike {
  name: string;
  shape: Dims;
}

const fixed = (d: number | string | null | undefined): d is number => typeof d === 'number' && d >= 0;

/**
 * A best guess at the task from the outputs alone (the caller records that it is a guess):
 * [N, 4+C, B] or [N, B, 5+C] with many boxes → detection (yolov8 / yolov5 layout); outputs named boxes +
 * scores → detection (boxes); [N, C, H, W] with H, W ≥ 8 → segmentation (C = 1: a probability map);
 * [N, T, C] with a small C beside a longer T → sequence; [N, 1] → regression; [N, C] → classification;
 * [N, D] with D ≥ 128 named like an embedding → embedding.
 */
export function guessTask(outputs: OutputLike[]): { task: Task; postprocess: Postprocess; reason: string } {
  const names = outputs.map((o) => o.name.toLowerCase());
  if (names.includes('boxes') && names.some((n) => n === 'scores' || n === 'labels' || n === 'classes')) {
    return { task: 'detection', postprocess: parsePostprocess('detection', { format: 'boxes' }), reason: 'outputs named boxes and scores' };
  }
  const first = outputs.find((o) => o.shape && o.shape.length > 0) ?? outputs[0];
  const shape = first?.shape ?? [];
  const dims = shape.slice(1);
  if (dims.length === 2 && fixed(dims[0]) && fixed(dims[1])) {
    const [a, b] = dims;
    if (a >= 5 && a <= 100 && b >= 100 && b > 4 * a) {
      return {
        task: 'detection',
        postprocess: parsePostprocess('detection', { format: 'yolov8', output: first.name }),
        reason: `output ${first.name} [${shape}] looks like yolov8 [N, 4+C, boxes]`,
      };
    }
    if (b >= 6 && b <= 101 && a >= 100 && a > 4 * b) {
      return {
        task: 'detection',
        postprocess: parsePostprocess('detection', { format: 'yolov5', output: first.name }),
        reason: `output ${first.name} [${shape}] looks like yolov5 [N, boxes, 5+C]`,
      };
    }
    if (b >= 2 && a >= 8 && a > b) {
      return {
        task: 'sequence',
        postprocess: parsePostprocess('sequence', { layout: 'btc', output: first.name }),
        reason: `output ${first.name} [${shape}] looks like per-step class scores [N, T, C]`,
      };
    }
  }
  if (dims.length === 3 && fixed(dims[1]) && fixed(dims[2]) && dims[1] >= 8 && dims[2] >= 8) {
    const channels = fixed(dims[0]) ? dims[0] : 1;
    return {
      task: 'segmentation',
      postprocess: parsePostprocess('segmentation', { format: channels === 1 ? 'probability' : 'logits', output: first.name }),
      reason: `output ${first.name} [${shape}] is a per-pixel map`,
    };
  }
  if (dims.length === 1 && fixed(dims[0])) {
    if (dims[0] === 1) return { task: 'regression', postprocess: {}, reason: `output ${first.name} [${shape}] is one value` };
    if (dims[0] >= 128 && /embed|pool|feature|sentence/i.test(first.name)) {
      return { task: 'embedding', postprocess: {}, reason: `output ${first.name} [${shape}] is named like an embedding` };
    }
  }
  return { task: 'classification', postprocess: {}, reason: `output ${first?.name ?? '?'} [${shape}] read as class scores` };
}
