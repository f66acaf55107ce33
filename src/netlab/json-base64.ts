/**
 * The body a json-base64 client sends for `bytes`: `{"input": "<base64>"}` (the counterpart of the verify server's
 * unwrapping). Its own module so the api can build request bodies without loading the server's onnxruntime.
 */
export function jsonBase64Body(bytes: Buffer): Buffer {
  return Buffer.from(JSON.stringify({ input: bytes.toString('base64') }), 'utf8');
}
