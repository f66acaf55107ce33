import { childEntry } from '../isolation/entries';
import { runChild, type Envelope } from '../isolation/child-process';
import type { EvaluationReport, EvaluationRequest } from './evaluator';

export * from './metrics';
export * from './fidelity';
export {
  evaluateModel,
  evaluateRequest,
  resolvePreprocess,
  type EvaluateOptions,
  type EvaluationReport,
  type EvaluationRequest,
} from './evaluator';
export { openEvaluationModel, runModel, classCountOf, DEFAULT_BATCH_SIZE, type EvaluationModel, type ModelOutputs } from './model-runner';

export interface IsolationOptions {
  timeoutMs?: number;
  envelope?: Envelope;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Evaluates in a runner child process, so a native crash, OOM or hang in onnxruntime fails the evaluation
 * (RUNNER_CRASHED / RUNNER_OOM / RUNNER_TIMEOUT) and not the caller. The child gets file paths only.
 */
export async function evaluateIsolated(request: EvaluationRequest, options: IsolationOptions = {}): Promise<EvaluationReport> {
  return runChild<EvaluationReport>({
    entry: childEntry('evaluate'),
    input: request,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    envelope: options.envelope,
    signal: options.signal,
    label: `evaluate ${request.modelPath}`,
  });
}
