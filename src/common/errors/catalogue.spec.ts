import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { CLI_ERRORS } from '../../cli/cli-errors';
import { repoRoot as findRepoRoot } from '../paths';
import { ERROR_CATALOGUE, ERROR_DOMAINS, isErrorCode, publicCodeOf } from './catalogue';

const repoRoot = findRepoRoot();

/** The declarations whose first argument is an error code, and the catalogue that argument must come from. */
const RAISERS: ReadonlyMap<string, 'api' | 'cli'> = new Map([
  ['src/common/errors/tierwise-error.ts#TierwiseError', 'api'],
  ['src/jobs/job-failure.ts#finalFailure', 'api'],
  ['src/cli/cli-errors.ts#CliError', 'cli'],
]);
/**
 * Sites that pass a code read back at run time (validated by isErrorCode before it is used), so their argument
 * is the whole ErrorCode type rather than literals.
 */
// A child's reply, and (remote-workers) the api's answer to a remote worker: codes relayed after isErrorCode.
const DYNAMIC_SITES = new Set([
  'src/isolation/child-process.ts',
  'src/isolation/entries/probe-main.ts',
  'src/remote-workers/client/worker-api-client.ts',
]);

/** `file#name` of what a callee resolves to (through imports), so a local `toString` is not a raise. */
function declarationOf(checker: ts.TypeChecker, callee: ts.Node): string | undefined {
  let symbol = checker.getSymbolAtLocation(callee);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.[0];
  if (!declaration) return undefined;
  return `${declaration.getSourceFile().fileName.slice(repoRoot.length + 1)}#${symbol!.name}`;
}

interface Site {
  file: string;
  line: number;
  raiser: string;
  codes: string[] | 'any';
}

/** Type-checks src and reads the code argument of every raise: the checker's literal types, not the text. */
function scanRaiseSites(): { sites: Site[]; literals: Set<string> } {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(repoRoot, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  assert.ok(config, 'tsconfig.json parses');
  const files = config.fileNames.filter((f) => f.startsWith(join(repoRoot, 'src/')) && !f.endsWith('.spec.ts'));
  const program = ts.createProgram(files, { ...config.options, noEmit: true, incremental: false });
  const checker = program.getTypeChecker();
  const sites: Site[] = [];
  const literals = new Set<string>();
  for (const source of program.getSourceFiles()) {
    if (!files.includes(source.fileName)) continue;
    const inCatalogue = source.fileName.startsWith(join(repoRoot, 'src/common/errors/'));
    const visit = (node: ts.Node): void => {
      if (!inCatalogue && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) literals.add(node.text);
      if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.arguments?.length) {
        const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression;
        const raiser = declarationOf(checker, callee);
        if (raiser && RAISERS.has(raiser)) {
          const type = checker.getTypeAtLocation(node.arguments[0]);
          const members = type.isUnion() ? type.types : [type];
          const literal = members.every((m) => m.isStringLiteral());
          const file = source.fileName.slice(repoRoot.length + 1);
          const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          const broad = !literal || members.length > 8;
          sites.push({ file, line, raiser, codes: broad ? 'any' : members.map((m) => (m as ts.StringLiteralType).value) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { sites, literals };
}

/** Codes the catalogue keeps although src never names them: what a child reports in the isolation spec. */
const RAISED_ONLY_IN_SPECS = new Set(['MODEL_INVALID']);

let scanned: ReturnType<typeof scanRaiseSites> | undefined;
const scan = () => (scanned ??= scanRaiseSites());

describe('the error catalogue', () => {
  test('no code is defined in two domains, and the CLI’s codes are its own', () => {
    const seen = new Map<string, string>();
    for (const [domain, rows] of Object.entries(ERROR_DOMAINS)) {
      for (const code of Object.keys(rows)) {
        assert.ok(!seen.has(code), `${code} is in both ${seen.get(code)} and ${domain}`);
        seen.set(code, domain);
      }
    }
    assert.equal(seen.size, Object.keys(ERROR_CATALOGUE).length);
    for (const code of Object.keys(CLI_ERRORS)) assert.ok(!isErrorCode(code), `${code} is both a CLI and an api code`);
  });

  test('each row has a meaning and an error status; a shared public code names a row of its own', () => {
    for (const [code, row] of Object.entries(ERROR_CATALOGUE)) {
      assert.match(code, /^[A-Z][A-Z0-9_]+$/, code);
      assert.ok(row.meaning.length > 10 && !row.meaning.includes('\n'), `${code} has a one-line meaning`);
      assert.ok(row.status >= 400 && row.status < 600, `${code} status ${row.status}`);
      if ('publicCode' in row) {
        assert.ok(isErrorCode(row.publicCode) && !('publicCode' in ERROR_CATALOGUE[row.publicCode]), `${code} shares ${row.publicCode}`);
        assert.equal(publicCodeOf(code as keyof typeof ERROR_CATALOGUE), row.publicCode);
      }
    }
  });

  test('every code raised in src is a catalogue code (read from the type checker, not from the text)', { timeout: 120_000 }, () => {
    const { sites } = scan();
    assert.ok(sites.length > 250, `found ${sites.length} raise sites`);
    for (const site of sites) {
      const where = `${site.file}:${site.line} (${site.raiser})`;
      if (site.codes === 'any') {
        assert.ok(DYNAMIC_SITES.has(site.file), `${where} raises a code the checker cannot narrow to literals`);
        continue;
      }
      const known: (code: string) => boolean = RAISERS.get(site.raiser) === 'cli' ? (c) => c in CLI_ERRORS : isErrorCode;
      for (const code of site.codes) assert.ok(known(code), `${where} raises ${code}, which is not in its catalogue`);
    }
    const raised = new Set(sites.flatMap((s) => (s.codes === 'any' ? [] : s.codes)));
    for (const code of Object.keys(CLI_ERRORS)) assert.ok(raised.has(code), `CLI code ${code} is never raised`);
  });

  test('every catalogue code is used somewhere in src (raised, or named where a framework error is mapped)', { timeout: 120_000 }, () => {
    const { sites, literals } = scan();
    const raised = new Set(sites.flatMap((s) => (s.codes === 'any' ? [] : s.codes)));
    const unused = Object.keys(ERROR_CATALOGUE).filter(
      (code) => !raised.has(code) && !literals.has(code) && !RAISED_ONLY_IN_SPECS.has(code),
    );
    assert.deepEqual(unused, []);
  });
});
