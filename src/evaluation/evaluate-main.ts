/** Child entry point: evaluates one model on one dataset, given by file paths, and prints the report. */
import { childMain } from '../benchmark/child-process';
import { evaluateRequest, type EvaluationRequest } from './evaluator';

childMain((request: EvaluationRequest) => evaluateRequest(request));
