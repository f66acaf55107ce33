import { errorCodes } from '../entry';

/** The request itself: its body, its upload, its validation (raised by the edge, not by a feature). */
export const HTTP_ERRORS = errorCodes({
  BAD_REQUEST: { status: 400, meaning: 'the request is malformed' },
  VALIDATION_FAILED: { status: 400, meaning: 'a field of the request is missing or out of range' },
  NOT_FOUND: { status: 404, meaning: 'no route or object answers to that path' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'the route does not accept that method' },
  CONFLICT: { status: 409, meaning: 'the request conflicts with the current state' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the request is over a size limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'the request body is of a type the route does not take' },
  UNPROCESSABLE: { status: 422, meaning: 'the request is well-formed but cannot be acted on' },
  TOO_MANY_REQUESTS: { status: 429, meaning: 'the caller is over its rate limit' },
  HTTP_ERROR: { status: 500, meaning: 'a framework error with a status that has no code of its own' },
  INTERNAL: { status: 500, meaning: 'a bug: the response carries an error id that the server logged' },
  BODY_TOO_LARGE: { status: 413, meaning: 'the request body is over the body limit' },
  BODY_MALFORMED: { status: 400, meaning: 'the request body is not valid JSON or not the length it announced' },
  BODY_ENCODING_INVALID: { status: 400, meaning: 'the request body is not valid for its Content-Encoding' },
  UNSUPPORTED_CHARSET: { status: 415, meaning: 'the request body is not utf-8' },
  UNSUPPORTED_ENCODING: { status: 415, meaning: 'the Content-Encoding is not identity, gzip or deflate' },
  REQUEST_ABORTED: { status: 400, meaning: 'the client closed the connection before the body was complete' },
  UPLOAD_NOT_MULTIPART: { status: 415, meaning: 'an upload must be multipart/form-data with a `file` part' },
  UPLOAD_MALFORMED: { status: 400, meaning: 'the multipart body cannot be parsed' },
  UPLOAD_MISSING_FILE: { status: 400, meaning: 'the multipart body has no `file` part' },
  UPLOAD_ABORTED: { status: 400, meaning: 'the client closed the connection before the upload was complete' },
  UPLOAD_TOO_LARGE: { status: 413, meaning: 'an uploaded file is over its size limit' },
  WEB_NOT_BUILT: { status: 503, meaning: 'the dashboard assets are not built on this server' },
});
