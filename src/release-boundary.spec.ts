import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './common/paths';

/**
 * The shipped build (tsconfig.release.json, what the Dockerfile runs) leaves out *.spec.ts and every testing/
 * folder. TypeScript still compiles an excluded file that shipped code imports, so this keeps the boundary:
 * test helpers live in src/**\/testing/ and only specs and other helpers import them.
 */
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'generated' && name !== 'testing') sources(path, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) out.push(path);
  }
  return out;
}

describe('release boundary', () => {
  test('no shipped source imports a spec or a testing/ helper', () => {
    const src = join(repoRoot(), 'src');
    const offenders = sources(src).flatMap((file) => {
      const imports = [
        ...readFileSync(file, 'utf8').matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|\brequire\(\s*'([^']+)'\s*\)/g),
      ].map((m) => m[1] ?? m[2] ?? m[3]);
      return imports.filter((spec) => /(^|\/)testing(\/|$)|\.spec$/.test(spec)).map((spec) => `${relative(src, file)} imports ${spec}`);
    });
    assert.deepEqual(offenders, []);
  });

  test('the release build configuration leaves tests and helpers out', () => {
    const config = JSON.parse(readFileSync(join(repoRoot(), 'tsconfig.release.json'), 'utf8')) as { include: string[]; exclude: string[] };
    assert.deepEqual(config.include, ['src/**/*.ts']);
    for (const pattern of ['src/**/*.spec.ts', 'src/**/testing/**']) assert.ok(config.exclude.includes(pattern), pattern);
  });
});
