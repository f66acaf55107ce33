import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project's root (the folder holding package.json), wherever the code runs from: src/ via tsx or dist/. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

/**
 * The path of a sibling entry point (a child-process script) in the same build flavour as the caller:
 * `foo.ts` when running under tsx, `foo.js` when running compiled. Spawn it with `childExecArgv()`.
 */
export function siblingEntry(callerFilename: string, baseName: string): string {
  const ext = callerFilename.endsWith('.ts') ? '.ts' : '.js';
  return join(dirname(callerFilename), baseName + ext);
}

/** Node flags a child needs to run the same flavour of code as this process (e.g. `--import tsx`). */
export function childExecArgv(): string[] {
  return process.execArgv.filter(
    (arg, i, all) => arg.startsWith('--import') || arg.startsWith('--require') || all[i - 1] === '--import' || all[i - 1] === '--require',
  );
}
