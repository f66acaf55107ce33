/** Child entry point: evaluates one model on one dataset, given by file paths, and prints the report. */
import { childMain } from '../child-process';
import { evaluateRequest, type EvaluationRequest } from '../../evaluation/evaluator';

childMain((request: EvaluationRequest) => evaluateRequest(request));
