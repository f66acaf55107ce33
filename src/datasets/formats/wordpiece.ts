import { readFileSync } from 'node:fs';
import { TierwiseError } from '../../common/errors';

/** Token ids and segment ids with the special tokens in place, not yet padded. */
export interface TokenizedText {
  ids: number[];
  typeIds: number[];
}

/** What the text encoder needs from a tokenizer, whichever implementation backs it. */
export interface TextTokenizer {
  readonly padId: number;
  encode(text: string, pair: string | undefined, maxLength: number): TokenizedText;
}

export interface WordPieceOptions {
  lowercase?: boolean;
  stripAccents?: boolean;
}

const MAX_WORD_CODE_POINTS = 100;
const CONTROL = /^[\p{Cc}\p{Cf}]$/u;
const WHITESPACE = /^[ \t\n\r\p{Zs}\p{Zl}\p{Zp}]$/u;
const NONSPACING_MARKS = /\p{Mn}/gu;
const UNICODE_PUNCTUATION = /^\p{P}$/u;

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return UNICODE_PUNCTUATION.test(ch);
}

/** Steps 1 and 2 of tokenizer.md: drop controls, map whitespace to a space, isolate CJK ideographs. */
function cleanText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd) continue;
    if (cp === 0x09 || cp === 0x0a || cp === 0x0d) {
      out += ' ';
      continue;
    }
    if (CONTROL.test(ch)) continue;
    if (WHITESPACE.test(ch)) {
      out += ' ';
      continue;
    }
    out += isCjk(cp) ? ` ${ch} ` : ch;
  }
  return out;
}

function splitOnPunctuation(word: string): string[] {
  const tokens: string[] = [];
  let run = '';
  for (const ch of word) {
    if (isPunctuation(ch)) {
      if (run) tokens.push(run);
      tokens.push(ch);
      run = '';
    } else {
      run += ch;
    }
  }
  if (run) tokens.push(run);
  return tokens;
}

/**
 * BERT BasicTokenizer + greedy longest-match-first WordPiece, exactly as test/fixtures/sentiment-bert/tokenizer.md
 * specifies (the normative reference: code points, not UTF-16 units; an unmatched word becomes one [UNK]).
 */
export class WordPieceTokenizer implements TextTokenizer {
  readonly padId: number;
  private readonly clsId: number;
  private readonly sepId: number;

  constructor(
    private readonly vocab: Map<string, number>,
    private readonly options: WordPieceOptions = {},
  ) {
    const special = (token: string): number => {
      const id = vocab.get(token);
      if (id === undefined) throw new TierwiseError('DATASET_INVALID', `vocabulary has no ${token} token`);
      return id;
    };
    this.padId = special('[PAD]');
    special('[UNK]');
    this.clsId = special('[CLS]');
    this.sepId = special('[SEP]');
  }

  static fromVocabFile(path: string, options?: WordPieceOptions): WordPieceTokenizer {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new TierwiseError('DATASET_INVALID', `cannot read vocabulary file ${path}`);
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const vocab = new Map<string, number>();
    lines.forEach((line, id) => {
      const token = line.replace(/\r$/, '');
      if (!vocab.has(token)) vocab.set(token, id);
    });
    return new WordPieceTokenizer(vocab, options);
  }

  /** Basic tokens of tokenizer.md step 3. */
  basicTokens(text: string): string[] {
    const lowercase = this.options.lowercase ?? true;
    const stripAccents = this.options.stripAccents ?? lowercase;
    const tokens: string[] = [];
    for (const raw of cleanText(text).split(' ')) {
      if (!raw) continue;
      let word = lowercase ? raw.toLowerCase() : raw;
      if (stripAccents) word = word.normalize('NFD').replace(NONSPACING_MARKS, '');
      tokens.push(...splitOnPunctuation(word));
    }
    return tokens;
  }

  /** WordPiece pieces of tokenizer.md step 4. */
  pieces(text: string): string[] {
    return this.basicTokens(text).flatMap((token) => this.wordPieces(token));
  }

  encode(text: string, pair: string | undefined, maxLength: number): TokenizedText {
    const first = this.pieces(text).map((piece) => this.vocab.get(piece)!);
    const second = pair === undefined ? undefined : this.pieces(pair).map((piece) => this.vocab.get(piece)!);
    const budget = maxLength - (second ? 3 : 2);
    if (second) {
      while (first.length + second.length > budget) (first.length >= second.length ? first : second).pop();
    } else if (first.length > budget) {
      first.length = Math.max(budget, 0);
    }
    const ids = [this.clsId, ...first, this.sepId];
    const typeIds = ids.map(() => 0);
    if (second) {
      ids.push(...second, this.sepId);
      typeIds.push(...second.map(() => 1), 1);
    }
    return { ids, typeIds };
  }

  private wordPieces(word: string): string[] {
    const chars = Array.from(word);
    if (chars.length > MAX_WORD_CODE_POINTS) return ['[UNK]'];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let match: string | undefined;
      for (let end = chars.length; end > start; end--) {
        const candidate = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.vocab.has(candidate)) {
          match = candidate;
          start = end;
          break;
        }
      }
      if (match === undefined) return ['[UNK]'];
      pieces.push(match);
    }
    return pieces;
  }
}
