import { errorCodes } from '../entry';

/** Dataset uploads, their formats and preprocess specs. */
export const DATASET_ERRORS = errorCodes({
  DATASET_NOT_FOUND: { status: 404, meaning: 'no dataset with that id (for this team)' },
  DATASET_INVALID: { status: 422, meaning: 'the dataset cannot be read (corrupt archive, bad image, malformed line, no samples)' },
  DATASET_TYPE_UNSUPPORTED: {
    status: 415,
    meaning: 'the upload is no dataset file type (archive, .jsonl, tensors .json)',
    publicCode: 'DATASET_INVALID',
  },
  DATASET_UNSAFE: { status: 400, meaning: 'a dataset archive entry escapes the archive (absolute path, .., a link)' },
  DATASET_MISMATCH: { status: 422, meaning: 'the dataset does not fit the model (inputs, shapes, labels, outputs)' },
  AUDIO_INVALID: {
    status: 422,
    meaning: 'a WAV file in an audio dataset cannot be read (empty, truncated header or data, no fmt / data chunk)',
  },
  AUDIO_UNSUPPORTED: {
    status: 422,
    meaning: 'a WAV file uses an encoding the loader does not read (24-bit PCM, ADPCM, A-law …): only PCM 16-bit and 32-bit float',
  },
  PREPROCESS_INVALID: { status: 422, meaning: 'the preprocess spec is invalid or does not fit the dataset' },
  PREPROCESS_NOT_JSON: { status: 400, meaning: 'the preprocess form field is not JSON', publicCode: 'PREPROCESS_INVALID' },
  SAMPLES_INVALID: { status: 422, meaning: 'the samples do not match the model inputs (names, types, shapes)' },
  BLOB_INVALID: { status: 400, meaning: 'a blob reference is not a sha256' },
});
