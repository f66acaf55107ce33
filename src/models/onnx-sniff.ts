/** ModelProto field numbers and their protobuf wire types (0 = varint, 2 = length-delimited). */
const MODEL_PROTO_FIELDS = new Map<number, number>([
  [1, 0],
  [2, 2],
  [3, 2],
  [4, 2],
  [5, 0],
  [6, 2],
  [7, 2],
  [8, 2],
  [14, 2],
  [20, 2],
  [21, 2],
]);

/**
 * Whether a file can be the start of a serialised ModelProto: its first byte must be the tag of a ModelProto field
 * with the right wire type. PNGs, zips, JSON and text all fail this, so they get "not ONNX" rather than "corrupt".
 */
export function looksLikeOnnx(head: Uint8Array): boolean {
  if (head.byteLength === 0) return false;
  let key = 0;
  let shift = 0;
  for (let i = 0; i < Math.min(head.byteLength, 5); i++) {
    key |= (head[i] & 0x7f) << shift;
    if ((head[i] & 0x80) === 0) {
      const field = key >>> 3;
      return MODEL_PROTO_FIELDS.get(field) === (key & 7);
    }
    shift += 7;
  }
  return false;
}
