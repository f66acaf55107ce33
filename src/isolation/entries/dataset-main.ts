/** Child entry point: checks an uploaded dataset (extraction, preprocess spec, every sample) and prints its inspection. */
import { childMain } from '../child-process';
import { checkDataset, type DatasetCheckRequest } from '../../datasets/dataset-check';

childMain((request: DatasetCheckRequest) => checkDataset(request));
