import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as tar from 'tar';
import { DEFAULT_ARCHIVE_LIMITS, extractArchive, safeEntryPath } from './safe-archive';
import { buildZip } from './testing/zip-writer';

const work = mkdtempSync(join(tmpdir(), 'tierwise-archive-spec-'));
after(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

function zipFile(entries: Parameters<typeof buildZip>[0]): string {
  const path = join(work, `a${counter++}.zip`);
  writeFileSync(path, buildZip(entries));
  return path;
}

/** Extracts into a fresh folder of its own and returns that folder's parent listing afterwards. */
async function expectRejected(archive: string, code: string, entry: RegExp, limits = DEFAULT_ARCHIVE_LIMITS): Promise<void> {
  const parent = join(work, `out${counter++}`);
  mkdirSync(parent);
  await assert.rejects(extractArchive(archive, join(parent, 'data'), limits), (error: Error & { code?: string; status?: number }) => {
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, code === 'DATASET_UNSAFE' ? 400 : 422);
    assert.match(error.message, entry);
    return true;
  });
  assert.deepEqual(readdirSync(parent), [], 'nothing half-written is left behind');
}

describe('safe archive extraction', () => {
  test('entry names: absolute, drive letters and .. segments are refused', () => {
    assert.deepEqual(safeEntryPath('a/./b//c.png'), ['a', 'b', 'c.png']);
    for (const bad of ['/etc/passwd', '\\evil', 'C:/x', 'a/../../x', '..\\x', 'a\0b'])
      assert.throws(() => safeEntryPath(bad), { code: 'DATASET_UNSAFE' });
  });

  test('a good zip extracts completely and atomically', async () => {
    const archive = zipFile([
      { name: 'set/' },
      { name: 'set/cat/1.png', data: Buffer.from('x') },
      { name: 'set/labels.csv', data: Buffer.from('a,b') },
    ]);
    const dest = join(work, `ok${counter++}`);
    await extractArchive(archive, dest);
    assert.ok(existsSync(join(dest, 'set/cat/1.png')));
    assert.ok(existsSync(join(dest, 'set/labels.csv')));
  });

  test('zip slip (../) and absolute entries are DATASET_UNSAFE naming the entry', async () => {
    await expectRejected(
      zipFile([
        { name: 'ok.png', data: Buffer.from('x') },
        { name: '../../evil.sh', data: Buffer.from('rm -rf') },
      ]),
      'DATASET_UNSAFE',
      /evil\.sh/,
    );
    await expectRejected(zipFile([{ name: '/tmp/evil.sh', data: Buffer.from('x') }]), 'DATASET_UNSAFE', /evil\.sh/);
  });

  test('a symlink entry in a zip is refused', async () => {
    await expectRejected(
      zipFile([
        { name: 'cat/a.png', data: Buffer.from('x') },
        { name: 'cat/link.png', data: Buffer.from('/etc/passwd'), mode: 0o120777 },
      ]),
      'DATASET_UNSAFE',
      /link\.png.*link or special/,
    );
  });

  test('too many entries and too many bytes are refused', async () => {
    const many = zipFile(Array.from({ length: 12 }, (_, i) => ({ name: `f${i}.png`, data: Buffer.from([i]) })));
    await expectRejected(many, 'DATASET_UNSAFE', /f10\.png.*10 entries/, { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 10 });
    const big = zipFile([
      { name: 'a.bin', data: Buffer.alloc(600, 1) },
      { name: 'b.bin', data: Buffer.alloc(600, 2) },
    ]);
    await expectRejected(big, 'DATASET_UNSAFE', /b\.bin.*1000 bytes/, { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 1000 });
  });

  test('a zip bomb (compression ratio far over the limit) is refused before it is inflated', async () => {
    await expectRejected(
      zipFile([{ name: 'zeros.bin', data: Buffer.alloc(20 * 1024 * 1024) }]),
      'DATASET_UNSAFE',
      /zeros\.bin.*compression ratio/,
    );
  });

  test('a corrupt zip is DATASET_INVALID', async () => {
    const path = join(work, 'corrupt.zip');
    writeFileSync(path, Buffer.from('PK\u0003\u0004 definitely not a zip'));
    await expectRejected(path, 'DATASET_INVALID', /corrupt\.zip/);
  });

  describe('tar.gz', () => {
    const source = join(work, 'tar-src');
    mkdirSync(join(source, 'set/cat'), { recursive: true });
    writeFileSync(join(source, 'set/cat/1.png'), 'x');
    writeFileSync(join(source, 'outside.txt'), 'x');

    async function pack(name: string, files: string[], cwd = source, preservePaths = false): Promise<string> {
      const path = join(work, name);
      tar.c({ sync: true, gzip: true, file: path, cwd, preservePaths, portable: true }, files);
      return path;
    }

    test('a good tarball extracts', async () => {
      const dest = join(work, `tar-ok${counter++}`);
      await extractArchive(await pack('good.tar.gz', ['set']), dest);
      assert.ok(existsSync(join(dest, 'set/cat/1.png')));
    });

    test('symlinks and hardlinks are refused', async () => {
      symlinkSync('/etc/passwd', join(source, 'set/cat/passwd.png'));
      try {
        await expectRejected(await pack('symlink.tar.gz', ['set']), 'DATASET_UNSAFE', /passwd\.png.*SymbolicLink/);
      } finally {
        rmSync(join(source, 'set/cat/passwd.png'));
      }
      linkSync(join(source, 'set/cat/1.png'), join(source, 'set/cat/2.png'));
      try {
        await expectRejected(await pack('hardlink.tar.gz', ['set']), 'DATASET_UNSAFE', /\.png.*Link/);
      } finally {
        rmSync(join(source, 'set/cat/2.png'));
      }
    });

    test('a ../ entry is refused', async () => {
      await expectRejected(await pack('slip.tar.gz', ['../outside.txt'], join(source, 'set'), true), 'DATASET_UNSAFE', /outside\.txt/);
    });

    test('a corrupt tarball is DATASET_INVALID', async () => {
      const path = join(work, 'corrupt.tar.gz');
      writeFileSync(path, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
      await expectRejected(path, 'DATASET_INVALID', /corrupt\.tar\.gz/);
    });

    test('a tar.gz bomb is refused by the ratio limit', async () => {
      writeFileSync(join(source, 'zeros.bin'), Buffer.alloc(8 * 1024 * 1024));
      await expectRejected(await pack('bomb.tar.gz', ['zeros.bin']), 'DATASET_UNSAFE', /zeros\.bin.*compression ratio/);
    });
  });
});
