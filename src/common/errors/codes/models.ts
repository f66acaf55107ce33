import { errorCodes } from '../entry';

/** Model uploads, their external data and their white-box variants. */
export const MODEL_ERRORS = errorCodes({
  UPLOAD_QUOTA_EXCEEDED: { status: 429, meaning: 'the team has TEAM_MAX_UPLOADS uploads in flight' },
  MODEL_NOT_FOUND: { status: 404, meaning: 'no model with that id (for this team), or no model file at that path' },
  MODEL_INVALID: { status: 400, meaning: 'the model is not usable (the generic code a runner child may report)' },
  POSTPROCESS_INVALID: { status: 422, meaning: 'the postprocess spec does not fit the task (unknown field, value out of range)' },
  TASK_INVALID: { status: 400, meaning: 'the task is not one of the known tasks' },
  MODEL_EMPTY: { status: 400, meaning: 'the uploaded model file is empty' },
  MODEL_NOT_ONNX: { status: 415, meaning: 'the uploaded file does not start like a serialised ONNX ModelProto' },
  MODEL_UNLOADABLE: { status: 422, meaning: 'the model parses but onnxruntime refuses to load it' },
  MODEL_TOO_BIG_TO_LOAD: { status: 422, meaning: 'loading the model needs more memory than MODEL_LOAD_MEMORY_MB allows' },
  MODEL_UPLOAD_INVALID: { status: 400, meaning: 'the upload mixes an archive with separate data parts, or sends neither' },
  MODEL_ARCHIVE_INVALID: { status: 400, meaning: 'the model archive is corrupt or does not hold exactly one .onnx' },
  MODEL_ARCHIVE_UNSAFE: { status: 400, meaning: 'a model archive entry escapes the archive (absolute path, .., a link)' },
  MODEL_EXTERNAL_DATA: { status: 400, meaning: 'the model keeps weights in external data files that were not sent with it' },
  MODEL_EXTERNAL_DATA_INVALID: { status: 400, meaning: 'an external data reference is malformed (no location, bad offset or length)' },
  MODEL_EXTERNAL_DATA_MISSING: { status: 400, meaning: 'a data file the model references was not uploaded' },
  MODEL_EXTERNAL_DATA_PATH: { status: 400, meaning: 'an external data location cannot be resolved beside the model' },
  MODEL_EXTERNAL_DATA_UNSAFE: { status: 400, meaning: 'an external data location escapes the model folder' },
  MODEL_EXTERNAL_DATA_UNUSED: { status: 400, meaning: 'data files were uploaded that the model never references' },
  MODEL_EXTERNAL_DATA_CONFLICT: { status: 409, meaning: 'this .onnx is already stored with different data files' },
  VARIANT_INCOMPATIBLE: { status: 422, meaning: 'an uploaded white-box variant does not fit its model (inputs, outputs)' },
});
