import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../../common/paths';
import { HuggingFaceTokenizer } from './hf-tokenizer';
import { WordPieceTokenizer } from './wordpiece';

const dir = join(repoRoot(), 'test/fixtures/sentiment-bert');
const cases = readFileSync(join(dir, 'tokenizer-cases.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { text: string; tokens: string[]; input_ids: number[] });

function padded(ids: number[]): number[] {
  return [...ids, ...Array<number>(128 - ids.length).fill(0)];
}

describe('WordPiece from tokenizer.md', () => {
  const tokenizer = WordPieceTokenizer.fromVocabFile(join(dir, 'vocab.txt'));

  test('reproduces every row of tokenizer-cases.jsonl (pieces and ids)', () => {
    assert.equal(cases.length, 18);
    for (const c of cases) {
      assert.deepEqual(tokenizer.pieces(c.text), c.tokens, `pieces of ${JSON.stringify(c.text)}`);
      assert.deepEqual(tokenizer.encode(c.text, undefined, 128).ids, c.input_ids, `ids of ${JSON.stringify(c.text)}`);
    }
  });

  for (const split of ['test-100', 'test-600']) {
    test(`reproduces ${split}.tokens.json exactly`, () => {
      const texts = readFileSync(join(dir, `${split}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { text: string }).text);
      const reference = JSON.parse(readFileSync(join(dir, `${split}.tokens.json`), 'utf8')) as { input_ids: number[][] };
      assert.equal(texts.length, reference.input_ids.length);
      texts.forEach((text, i) => assert.deepEqual(padded(tokenizer.encode(text, undefined, 128).ids), reference.input_ids[i], `row ${i}`));
    });
  }

  test('a pair gets [SEP] between the texts, segment ids 0/1 and longest-first truncation', () => {
    const { ids, typeIds } = tokenizer.encode('good', 'bad', 128);
    assert.deepEqual(ids, [2, ...tokenizer.pieces('good').map(() => ids[1]), 3, ids[3], 3]);
    assert.deepEqual(typeIds, [0, 0, 0, 1, 1]);
    const long = tokenizer.encode('good '.repeat(20), 'bad', 10);
    assert.equal(long.ids.length, 10);
    assert.deepEqual(long.typeIds.slice(-2), [1, 1]);
  });
});

describe('Hugging Face tokenizer.json', () => {
  const tokenizer = HuggingFaceTokenizer.fromFile(join(dir, 'tokenizer.json'));

  test('gives the same ids as tokenizer.md on all tokenizer cases, truncation included', () => {
    for (const c of cases) assert.deepEqual(tokenizer.encode(c.text, undefined, 128).ids, c.input_ids, JSON.stringify(c.text));
  });

  test('matches test-100.tokens.json', () => {
    const texts = readFileSync(join(dir, 'test-100.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { text: string }).text);
    const reference = JSON.parse(readFileSync(join(dir, 'test-100.tokens.json'), 'utf8')) as { input_ids: number[][] };
    texts.forEach((text, i) => assert.deepEqual(padded(tokenizer.encode(text, undefined, 128).ids), reference.input_ids[i], `row ${i}`));
    assert.equal(tokenizer.padId, 0);
  });
});
