import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Api } from '../support/harness';

/** One generated bad request: what it sends, and the family it belongs to (for the tables). */
export interface BadInput {
  family: 'json' | 'graphql' | 'model' | 'dataset' | 'preprocess' | 'framework';
  name: string;
  method: 'POST' | 'GET' | 'DELETE';
  path: string;
  json?: unknown;
  raw?: { body: Buffer; contentType: string; headers?: Record<string, string> };
  file?: { bytes: Buffer; filename: string; fields?: Record<string, string> };
}

/** A small deterministic generator (the same inputs on every run, so a failure can be replayed). */
function rng(seed: string) {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const weird: unknown[] = [
  null,
  true,
  -1,
  0,
  1e308,
  -1e308,
  1.5,
  '',
  'x'.repeat(5000),
  '\u0000',
  '../../etc/passwd',
  [],
  {},
  [[[]]],
  { $gt: '' },
  '00000000-0000-0000-0000-000000000000',
  'ünïcödé',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
];

export function badInputs(ids: { modelId: string; datasetId: string }): BadInput[] {
  const out: BadInput[] = [];
  const random = rng('tierwise-reliability');
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];

  // JSON bodies: studies and webhooks with every field replaced by a wrong value.
  const study = { modelId: ids.modelId, datasetId: ids.datasetId, tiers: ['edge-cpu'], effort: { repeats: 1, samples: 5 } };
  const fields = [
    'modelId',
    'datasetId',
    'tiers',
    'scenarios',
    'operators',
    'constraints',
    'network',
    'effort',
    'webhookUrl',
    'unknownField',
  ];
  for (const field of fields) {
    for (let i = 0; i < 8; i++)
      out.push({
        family: 'json',
        name: `study.${field} #${i}`,
        method: 'POST',
        path: '/v1/studies',
        json: { ...study, [field]: pick(weird) },
      });
  }
  for (const nested of ['constraints', 'network', 'effort']) {
    for (let i = 0; i < 6; i++)
      out.push({
        family: 'json',
        name: `study.${nested}.x #${i}`,
        method: 'POST',
        path: '/v1/studies',
        json: {
          ...study,
          [nested]: { [pick(['maxLatencyMs', 'bandwidthMbps', 'rttMs', 'repeats', 'samples', 'timeoutMs'])]: pick(weird) },
        },
      });
  }
  for (const body of [[], 'text', 42, null, { datasetId: ids.datasetId }, { modelId: 'nope' }])
    out.push({ family: 'json', name: `study body ${JSON.stringify(body)}`, method: 'POST', path: '/v1/studies', json: body });
  for (let i = 0; i < 12; i++)
    out.push({
      family: 'json',
      name: `webhook #${i}`,
      method: 'POST',
      path: '/v1/webhooks',
      json: {
        url: pick([
          'ftp://x',
          'not a url',
          'javascript:alert(1)',
          '',
          'gopher://x/',
          'http://',
          pick(weird.filter((w) => typeof w !== 'string')),
        ]),
        events: pick(weird),
      },
    });
  for (const path of ['/v1/models/', '/v1/datasets/', '/v1/studies/', '/v1/webhooks/']) {
    for (const id of ['not-a-uuid', '%00', '..%2F..%2Fetc', 'x'.repeat(300), '00000000-0000-0000-0000-000000000000']) {
      out.push({ family: 'json', name: `GET ${path}${id.slice(0, 20)}`, method: 'GET', path: `${path}${id}` });
      out.push({ family: 'json', name: `DELETE ${path}${id.slice(0, 20)}`, method: 'DELETE', path: `${path}${id}` });
    }
  }
  for (const q of ['limit=-1', 'limit=abc', 'limit=100000', 'cursor=%00', 'cursor=' + 'z'.repeat(500)])
    out.push({ family: 'json', name: `list ?${q.slice(0, 20)}`, method: 'GET', path: `/v1/models?${q}` });

  // Framework-level errors: body parser, content types, encodings.
  const raw = (name: string, body: Buffer | string, contentType: string, headers?: Record<string, string>): BadInput => ({
    family: 'framework',
    name,
    method: 'POST',
    path: '/v1/studies',
    raw: { body: Buffer.from(body), contentType, headers },
  });
  out.push(raw('json over the body limit', JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }), 'application/json'));
  out.push(raw('unknown charset', '{}', 'application/json; charset=klingon'));
  out.push(raw('broken gzip', Buffer.from('not gzip at all'), 'application/json', { 'Content-Encoding': 'gzip' }));
  out.push(raw('unknown encoding', '{}', 'application/json', { 'Content-Encoding': 'br2' }));
  out.push(raw('gzip of invalid json', gzipSync('{nope'), 'application/json', { 'Content-Encoding': 'gzip' }));
  out.push(raw('malformed json', '{"modelId":', 'application/json'));
  out.push(raw('json with NUL in a key', '{"model\\u0000Id":"x"}', 'application/json'));
  out.push(
    raw(
      'json with NUL in a value',
      `{"modelId":"${ids.modelId}","datasetId":"${ids.datasetId}","tiers":["edge\\u0000cpu"]}`,
      'application/json',
    ),
  );
  out.push(raw('deeply nested json', '['.repeat(5000) + ']'.repeat(5000), 'application/json'));
  out.push({
    family: 'framework',
    name: 'multipart without boundary',
    method: 'POST',
    path: '/v1/models',
    raw: { body: Buffer.from('abc'), contentType: 'multipart/form-data' },
  });
  out.push({
    family: 'framework',
    name: 'multipart with a bad boundary',
    method: 'POST',
    path: '/v1/models',
    raw: { body: Buffer.from('--a\r\n\r\n'), contentType: 'multipart/form-data; boundary=' },
  });
  out.push({
    family: 'framework',
    name: 'multipart truncated',
    method: 'POST',
    path: '/v1/datasets',
    raw: {
      body: Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="x.jsonl"\r\n\r\n{"text":'),
      contentType: 'multipart/form-data; boundary=b',
    },
  });
  out.push({
    family: 'framework',
    name: 'multipart name with NUL',
    method: 'POST',
    path: '/v1/models',
    raw: {
      body: Buffer.from('--b\r\nContent-Disposition: form-data; name="na\u0000me"\r\n\r\nx\r\n--b--\r\n'),
      contentType: 'multipart/form-data; boundary=b',
    },
  });
  out.push({
    family: 'framework',
    name: 'text/plain study',
    method: 'POST',
    path: '/v1/studies',
    raw: { body: Buffer.from('hello'), contentType: 'text/plain' },
  });

  // GraphQL: syntax errors, unknown fields, wrong types, deep and wide queries.
  const gql = (name: string, query: unknown, variables?: unknown): BadInput => ({
    family: 'graphql',
    name,
    method: 'POST',
    path: '/graphql',
    json: { query, variables },
  });
  for (const q of [
    '{',
    '}',
    '{ models { ',
    'query { nope }',
    '{ models { items { nope } } }',
    '{ model(id: 5) { id } }',
    '{ model { id } }',
    'mutation { nope }',
    'subscription { nope }',
    '',
    '#',
    'fragment F on Nope { id }',
    '{ __type(name: 1) { name } }',
  ])
    out.push(gql(`query ${JSON.stringify(q).slice(0, 30)}`, q));
  for (const q of [null, 1, [], {}, true]) out.push(gql(`query of type ${typeof q}`, q));
  for (let i = 0; i < 20; i++) {
    const junk = Array.from({ length: 5 + Math.floor(random() * 40) }, () =>
      pick(['{', '}', '(', ')', ':', '$', '@', '"', 'id', 'models', '...', ' ', '#', '!', '[', ']']),
    ).join('');
    out.push(gql(`random query #${i}`, junk));
  }
  out.push(gql('1500 aliases', `{ ${Array.from({ length: 1500 }, (_, i) => `a${i}: tiers { name }`).join(' ')} }`));
  out.push(
    gql(
      'depth 40 fragments',
      `query { ...F0 } ${Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { tiers { name } ${i < 39 ? `...F${i + 1}` : ''} }`).join(' ')}`,
    ),
  );
  out.push(gql('fragment cycle', 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }'));
  out.push(gql('introspection depth bomb', `{ __schema { types { ${'fields { type { '.repeat(15)}name${' } }'.repeat(15)} } } }`));
  out.push(gql('bad variables', 'query Q($id: ID!) { model(id: $id) { id } }', { id: { nested: true } }));
  out.push(gql('missing variable', 'query Q($id: ID!) { model(id: $id) { id } }'));

  // Models: bytes that are not an ONNX model, names and tasks that are wrong.
  const models: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('hello world')],
    ['zeros', Buffer.alloc(4096)],
    ['ff', Buffer.alloc(4096, 0xff)],
    ['png header', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')],
    ['zip header', Buffer.from('504b0304140000000800', 'hex')],
  ];
  for (let i = 0; i < 24; i++)
    models.push([`random #${i}`, Buffer.from(Array.from({ length: 16 + Math.floor(random() * 2000) }, () => Math.floor(random() * 256)))]);
  for (let i = 0; i < 10; i++)
    models.push([
      `protobuf-ish #${i}`,
      Buffer.from([0x08, 0x07, 0x12, 0x04, ...Array.from({ length: 200 }, () => Math.floor(random() * 256))]),
    ]);
  for (const [name, bytes] of models)
    out.push({
      family: 'model',
      name: `model ${name}`,
      method: 'POST',
      path: '/v1/models',
      file: { bytes, filename: 'm.onnx', fields: { name: 'fuzz' } },
    });

  // Datasets: broken archives, JSON, JSONL.
  const datasets: Array<[string, Buffer, string]> = [
    ['empty jsonl', Buffer.alloc(0), 'd.jsonl'],
    ['jsonl garbage', Buffer.from('{nope\n{"text":1}\n'), 'd.jsonl'],
    ['jsonl numbers', Buffer.from('1\n2\n3\n'), 'd.jsonl'],
    ['json garbage', Buffer.from('{"input_ids": [[1,2]], "attention_mask": 5}'), 'd.json'],
    ['json array', Buffer.from('[1,2,3]'), 'd.json'],
    ['json string', Buffer.from('"x"'), 'd.json'],
    ['zip garbage', Buffer.from('PK\u0003\u0004garbage'), 'd.zip'],
    ['tar.gz garbage', gzipSync('not a tar'), 'd.tar.gz'],
    ['tar garbage', Buffer.alloc(1024, 1), 'd.tar'],
    ['gz not gz', Buffer.from('plain'), 'd.tgz'],
    ['wrong extension', Buffer.from('x'), 'd.exe'],
    ['no extension', Buffer.from('x'), 'dataset'],
  ];
  for (let i = 0; i < 20; i++)
    datasets.push([
      `random ${i}`,
      Buffer.from(Array.from({ length: 64 + Math.floor(random() * 1000) }, () => Math.floor(random() * 256))),
      pick(['d.zip', 'd.tar.gz', 'd.tar', 'd.jsonl', 'd.json']),
    ]);
  for (const [name, bytes, filename] of datasets)
    out.push({ family: 'dataset', name: `dataset ${name}`, method: 'POST', path: '/v1/datasets', file: { bytes, filename } });

  // Preprocess specs on a valid JSONL dataset.
  const jsonl = Buffer.from('{"text":"good","label":1}\n{"text":"bad","label":0}\n');
  const specs: unknown[] = [
    'nope',
    '[]',
    '1',
    '"text"',
    '{"kind":"audio"}',
    '{"kind":"text"}',
    '{"kind":"text","tokenizer":"wordpiece","vocab":"/etc/passwd"}',
    '{"kind":"text","tokenizer":"wordpiece","vocab":"../../../../etc/passwd"}',
    '{"kind":"text","tokenizer":"huggingface","path":"/proc/self/environ"}',
    '{"kind":"text","tokenizer":"wordpiece","vocab":"/dev/zero"}',
    '{"kind":"images","layout":"CHWN"}',
    '{"kind":"images","channels":7}',
    '{"kind":"images","std":[0,0,0]}',
    '{"kind":"images","resize":[0,1]}',
  ];
  for (const key of ['resize', 'pad_to', 'center_crop', 'mean', 'std', 'channels', 'layout', 'dtype', 'scale']) {
    for (const value of ['x', {}, [[[]]], [0, -3]]) specs.push(JSON.stringify({ kind: 'images', [key]: value }));
  }
  for (const spec of specs)
    out.push({
      family: 'preprocess',
      name: `preprocess ${String(spec).slice(0, 40)}`,
      method: 'POST',
      path: '/v1/datasets',
      file: { bytes: jsonl, filename: 'd.jsonl', fields: { preprocess: String(spec) } },
    });
  return out;
}

export async function send(api: Api, auth: { Authorization: string }, input: BadInput) {
  let req =
    input.method === 'GET' ? api.http.get(input.path) : input.method === 'DELETE' ? api.http.delete(input.path) : api.http.post(input.path);
  req = req.set(auth);
  if (input.raw) {
    req = req.set('Content-Type', input.raw.contentType);
    for (const [k, v] of Object.entries(input.raw.headers ?? {})) req = req.set(k, v);
    return req.send(input.raw.body);
  }
  if (input.file) {
    for (const [k, v] of Object.entries(input.file.fields ?? {})) req = req.field(k, v);
    return req.attach('file', input.file.bytes, input.file.filename);
  }
  if (input.json === undefined) return req;
  return typeof input.json === 'object' && input.json !== null
    ? req.send(input.json as object)
    : req.set('Content-Type', 'application/json').send(JSON.stringify(input.json));
}

/** The error code of an answer: REST `error.code`, or every GraphQL error's `extensions.code`. */
export function codeOf(
  status: number,
  body: { error?: { code?: string }; errors?: Array<{ extensions?: { code?: string } }> },
): string | undefined {
  if (body?.error?.code) return body.error.code;
  if (Array.isArray(body?.errors) && body.errors.length > 0 && body.errors.every((e) => typeof e.extensions?.code === 'string'))
    return body.errors[0].extensions!.code;
  return status >= 400 ? undefined : 'none';
}
