import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { TierwiseError } from '../../common/errors';
import type { TextTokenizer, TokenizedText } from './wordpiece';

/**
 * A Hugging Face `tokenizer.json` run by `@huggingface/tokenizers`. That library applies the post-processor
 * template but leaves truncation and padding to the caller, so both happen here.
 */
export class HuggingFaceTokenizer implements TextTokenizer {
  readonly padId: number;

  private constructor(
    private readonly tokenizer: Tokenizer,
    padId: number,
  ) {
    this.padId = padId;
  }

  static fromFile(path: string): HuggingFaceTokenizer {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new TierwiseError('DATASET_INVALID', `cannot read tokenizer ${path}: ${(error as Error).message}`);
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, {});
    } catch (error) {
      throw new TierwiseError('DATASET_INVALID', `tokenizer ${path} is not a valid tokenizer.json: ${(error as Error).message}`);
    }
    const padding = json.padding as { pad_id?: number } | null | undefined;
    const padId = padding?.pad_id ?? tokenizer.token_to_id('[PAD]') ?? tokenizer.token_to_id('<pad>') ?? 0;
    return new HuggingFaceTokenizer(tokenizer, padId);
  }

  encode(text: string, pair: string | undefined, maxLength: number): TokenizedText {
    const encoding = this.tokenizer.encode(text, { text_pair: pair ?? null, return_token_type_ids: true });
    let ids = encoding.ids;
    let typeIds = encoding.token_type_ids ?? ids.map(() => 0);
    if (ids.length > maxLength) {
      // Keep the closing special token the template appended; what is cut is the end of the text.
      ids = [...ids.slice(0, maxLength - 1), ids[ids.length - 1]];
      typeIds = [...typeIds.slice(0, maxLength - 1), typeIds[typeIds.length - 1]];
    }
    return { ids, typeIds };
  }
}
