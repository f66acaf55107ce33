/**
 * Models whose weights live in external files (ONNX external data: a tensor's `location` names a file relative
 * to the model's folder, with an optional `offset` and `length`).
 *
 * Such a model uploads as an archive (.zip / .tar.gz / .tar holding one .onnx and its data files) or as a
 * multipart body with the .onnx in `file` and each data file in a further part (field `data`, the part's
 * filename being the location the model names). Every location is checked: relative, no `..`, no absolute or
 * drive path — it cannot leave the model's folder — and the file must be there and long enough.
 *
 * Storage: the .onnx is an ordinary content-addressed blob (`<BLOB_DIR>/<sha[0..2]>/<sha>`, the model's
 * `blobSha`); beside it the bundle `<BLOB_DIR>/bundles/<sha>/` holds `model.onnx` and the data files at their
 * locations, plus `bundle.json` (each file's location, size and sha256). The .onnx's bytes name the data files,
 * so the bundle is keyed by the .onnx's hash; a second upload of the same .onnx with different data files is
 * refused (409) rather than silently mixed. onnxruntime loads `bundles/<sha>/model.onnx` by path and finds the
 * data beside it; `modelFileFor()` gives that path (or the plain blob for a self-contained model).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TierwiseError } from '../common/errors';
import { safeEntryPath } from '../datasets/formats/safe-archive';
import { loadModel } from '../onnx';

export interface ExternalReference {
  tensor: string;
  location: string;
  offset: number;
  length: number | null;
}

export interface BundleFile {
  location: string;
  sizeBytes: number;
  sha256: string;
}

export interface BundleManifest {
  model: string;
  files: BundleFile[];
  totalBytes: number;
}

interface TensorLike {
  name?: string | null;
  dataLocation?: number | null;
  externalData?: Array<{ key?: string | null; value?: string | null }> | null;
}
interface GraphLike {
  initializer?: TensorLike[] | null;
  sparseInitializer?: Array<{ values?: TensorLike | null }> | null;
  node?: Array<{
    attribute?: Array<{ t?: TensorLike | null; tensors?: TensorLike[] | null; g?: GraphLike | null; graphs?: GraphLike[] | null }> | null;
  }> | null;
}

/** Every tensor of the model (subgraphs included) that keeps its data in an external file. */
export function externalReferences(bytes: Uint8Array): ExternalReference[] {
  const refs: ExternalReference[] = [];
  const visitTensor = (t: TensorLike | null | undefined): void => {
    if (!t || !t.externalData?.length) return;
    const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = entries.get('location');
    if (!location) throw new TierwiseError('MODEL_EXTERNAL_DATA_INVALID', `tensor ${t.name} has external data without a location`);
    const number = (key: string): number | null => {
      if (!entries.has(key)) return null;
      const n = Number(entries.get(key));
      if (!Number.isInteger(n) || n < 0)
        throw new TierwiseError(
          'MODEL_EXTERNAL_DATA_INVALID',
          `tensor ${t.name}: external data ${key} ${entries.get(key)} is not a non-negative integer`,
        );
      return n;
    };
    refs.push({ tensor: t.name ?? '', location, offset: number('offset') ?? 0, length: number('length') });
  };
  const visitGraph = (g: GraphLike | null | undefined): void => {
    if (!g) return;
    for (const t of g.initializer ?? []) visitTensor(t);
    for (const s of g.sparseInitializer ?? []) visitTensor(s.values);
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) {
        visitTensor(a.t);
        for (const t of a.tensors ?? []) visitTensor(t);
        visitGraph(a.g);
        for (const sub of a.graphs ?? []) visitGraph(sub);
      }
    }
  };
  visitGraph(loadModel(bytes).graph as GraphLike);
  return refs;
}

/** The location as path segments inside the model's folder; refuses any that could leave it. */
export function safeLocation(location: string): string[] {
  try {
    const segments = safeEntryPath(location);
    if (segments.length === 0)
      throw new TierwiseError('MODEL_EXTERNAL_DATA_UNSAFE', `external data location ${JSON.stringify(location)} names no file`);
    return segments;
  } catch (error) {
    if (error instanceof TierwiseError && error.code === 'DATASET_UNSAFE') {
      throw new TierwiseError(
        'MODEL_EXTERNAL_DATA_UNSAFE',
        `external data location ${JSON.stringify(location)} ${error.message.replace(/^archive entry "[^"]*" /, '')}; locations must be relative paths inside the model's folder`,
        { location },
      );
    }
    throw error;
  }
}

/** Streams an uploaded data file into `staging` at the path its filename gives (checked like a location). */
export async function stageDataFile(staging: string, filename: string, stream: Readable, maxBytes: number): Promise<string> {
  if (!filename) {
    stream.resume();
    throw new TierwiseError(
      'MODEL_EXTERNAL_DATA_INVALID',
      'a data part has no filename: send each data file with the location the model names as its filename',
    );
  }
  const segments = safeLocation(filename);
  const target = join(staging, ...segments);
  await mkdir(dirname(target), { recursive: true });
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes)
      stream.destroy(new TierwiseError('UPLOAD_TOO_LARGE', `data file ${filename} exceeds the limit of ${maxBytes} bytes`));
  });
  await pipeline(stream, createWriteStream(target, { flags: 'wx' })).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new TierwiseError('MODEL_EXTERNAL_DATA_INVALID', `data file ${filename} was sent twice`);
    throw error;
  });
  return segments.join('/');
}

/** The .onnx files of an extracted archive (relative paths), hidden files and macOS resource forks aside. */
export async function findOnnxFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === '__MACOSX') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.onnx')) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  await walk(root);
  return found.sort();
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Checks that every reference of the model resolves to a file inside `modelDir` that holds its byte range;
 * returns the distinct data files. `sent` (multipart uploads): data files the client sent, each must be used.
 */
export async function checkReferences(
  refs: ExternalReference[],
  modelDir: string,
  sent?: string[],
): Promise<Array<{ location: string; path: string; sizeBytes: number }>> {
  const files = new Map<string, { location: string; path: string; sizeBytes: number }>();
  const missing = new Set<string>();
  for (const ref of refs) {
    const segments = safeLocation(ref.location);
    const location = segments.join('/');
    const path = join(modelDir, ...segments);
    let file = files.get(location);
    if (!file) {
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) {
        missing.add(location);
        continue;
      }
      file = { location, path, sizeBytes: info.size };
      files.set(location, file);
    }
    const end = ref.offset + (ref.length ?? 0);
    if (end > file.sizeBytes || ref.offset > file.sizeBytes) {
      throw new TierwiseError(
        'MODEL_EXTERNAL_DATA_INVALID',
        `tensor ${ref.tensor} reads bytes ${ref.offset}..${end} of ${location}, which has ${file.sizeBytes}`,
        { location },
      );
    }
  }
  if (missing.size > 0) {
    const list = [...missing];
    throw new TierwiseError(
      'MODEL_EXTERNAL_DATA_MISSING',
      `the model keeps weights in ${list.join(', ')}, which the upload does not hold: send an archive with the .onnx and these files beside it, or add each as a \`data\` part whose filename is its location`,
      { missing: list },
    );
  }
  const unused = (sent ?? []).filter((s) => !files.has(s));
  if (unused.length > 0) {
    throw new TierwiseError(
      'MODEL_EXTERNAL_DATA_UNUSED',
      `data files ${unused.join(', ')} are not referenced by the model (it references ${[...files.keys()].join(', ') || 'none'})`,
      { unused },
    );
  }
  return [...files.values()];
}

async function place(from: string, to: string, move: boolean): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  if (move) {
    try {
      await rename(from, to);
      return;
    } catch {
      /* another filesystem: copy below */
    }
  } else {
    try {
      await link(from, to);
      return;
    } catch {
      /* another filesystem: copy below */
    }
  }
  await copyFile(from, to);
}

async function readManifest(dir: string): Promise<BundleManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'bundle.json'), 'utf8')) as BundleManifest;
  } catch {
    return undefined;
  }
}

/**
 * Writes (or finds) the bundle for the model blob `onnxBlob` whose hash is `sha`: `model.onnx` linked to the
 * blob, the data files moved in at their locations. Returns the manifest and whether this call created it.
 */
export async function storeBundle(
  bundleDir: string,
  onnxBlob: string,
  files: Array<{ location: string; path: string; sizeBytes: number }>,
): Promise<{ manifest: BundleManifest; created: boolean }> {
  const entries: BundleFile[] = [];
  for (const f of files) entries.push({ location: f.location, sizeBytes: f.sizeBytes, sha256: await sha256File(f.path) });
  entries.sort((a, b) => a.location.localeCompare(b.location));
  const manifest: BundleManifest = { model: 'model.onnx', files: entries, totalBytes: entries.reduce((s, e) => s + e.sizeBytes, 0) };
  const existing = await readManifest(bundleDir);
  if (existing) {
    if (JSON.stringify(existing.files) !== JSON.stringify(manifest.files)) {
      throw new TierwiseError(
        'MODEL_EXTERNAL_DATA_CONFLICT',
        'this .onnx is already stored with different data files; upload it under a different graph (e.g. re-export) or delete the other model first',
      );
    }
    return { manifest: existing, created: false };
  }
  const partial = `${bundleDir}.partial-${randomUUID()}`;
  try {
    await place(onnxBlob, join(partial, 'model.onnx'), false);
    for (const f of files) {
      if (f.location === 'model.onnx' || f.location === 'bundle.json')
        throw new TierwiseError('MODEL_EXTERNAL_DATA_INVALID', `a data file may not be named ${f.location}`);
      await place(f.path, join(partial, ...f.location.split('/')), true);
    }
    await writeFile(join(partial, 'bundle.json'), JSON.stringify(manifest, null, 2));
    await mkdir(dirname(bundleDir), { recursive: true });
    await rename(partial, bundleDir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    const other = existsSync(bundleDir) ? await readManifest(bundleDir) : undefined;
    if (other && JSON.stringify(other.files) === JSON.stringify(manifest.files)) return { manifest: other, created: false };
    throw error;
  }
  return { manifest, created: true };
}

/** The file to open for a stored model: the bundle's model.onnx when its weights are external, else the blob. */
export function modelFileFor(blobPath: string, bundleDir: string): { path: string; externalDataDir?: string } {
  return existsSync(join(bundleDir, 'bundle.json'))
    ? { path: join(bundleDir, 'model.onnx'), externalDataDir: bundleDir }
    : { path: blobPath };
}

export async function bundleManifest(bundleDir: string): Promise<BundleManifest | undefined> {
  return readManifest(bundleDir);
}
