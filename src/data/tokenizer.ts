/**
 * Tokenizers: text <-> Int32Array of ids, serialisable to JSON and back (saved with a model).
 *
 * Reserved ids, the same for every tokenizer:
 *   0 = PAD (padding; never produced by encode),
 *   1 = UNK (any token not in the vocabulary),
 *   2.. = the vocabulary, most frequent first (ties broken by the token's code points, so building
 *         from the same texts always gives the same ids).
 * encode() counts tokens and unknown tokens into an optional stats object.
 */
import { ArgumentError, describe } from '../core/errors.js';

export const PAD_ID = 0;
export const UNK_ID = 1;
const RESERVED = 2;

export interface EncodeStats {
  tokens: number;
  unknown: number;
}

export interface TokenizerOptions {
  lowercase?: boolean;
  /** largest vocabulary size including PAD and UNK */
  maxVocab?: number;
  /** tokens seen fewer times than this are left out (become UNK) */
  minCount?: number;
  /** how UNK is written by decode */
  unkToken?: string;
}

export interface TokenizerJSON {
  kind: 'char' | 'word';
  lowercase: boolean;
  unkToken: string;
  /** the vocabulary in id order from id 2 */
  vocab: string[];
}

/**
 * Word splitting: runs of letters/digits (with inner apostrophes, so "don't" stays one word) and
 * every other non-space character as its own token, so punctuation is kept but separated.
 */
const WORD_RE = /[\p{L}\p{N}_]+(?:['’][\p{L}\p{N}_]+)*|[^\s\p{L}\p{N}_]/gu;
const NO_SPACE_BEFORE = new Set(['.', ',', ';', ':', '!', '?', ')', ']', '}', '%']);

export class Tokenizer {
  private readonly ids: Map<string, number>;

  private constructor(
    readonly kind: 'char' | 'word',
    readonly vocab: readonly string[],
    readonly lowercase: boolean,
    readonly unkToken: string,
  ) {
    this.ids = new Map(vocab.map((tok, i) => [tok, i + RESERVED]));
  }

  /** Number of ids, PAD and UNK included. */
  get size(): number {
    return this.vocab.length + RESERVED;
  }

  /** Builds the vocabulary from training texts. */
  static fit(
    kind: 'char' | 'word',
    texts: Iterable<string>,
    opts: TokenizerOptions = {},
  ): Tokenizer {
    const lowercase = opts.lowercase ?? kind === 'word';
    const minCount = opts.minCount ?? 1;
    const maxVocab = opts.maxVocab ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(minCount) || minCount < 1)
      throw new ArgumentError('Tokenizer.fit', 'minCount', 'an integer >= 1', describe(minCount));
    if (!Number.isInteger(maxVocab) || maxVocab < RESERVED)
      throw new ArgumentError(
        'Tokenizer.fit',
        'maxVocab',
        `an integer >= ${RESERVED} (PAD and UNK)`,
        describe(maxVocab),
      );
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const tok of split(kind, lowercase ? text.toLowerCase() : text))
        counts.set(tok, (counts.get(tok) ?? 0) + 1);
    }
    const vocab = [...counts.entries()]
      .filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxVocab - RESERVED)
      .map(([tok]) => tok);
    return new Tokenizer(
      kind,
      vocab,
      lowercase,
      opts.unkToken ?? (kind === 'char' ? '\uFFFD' : '<unk>'),
    );
  }

  /** A tokenizer with a given vocabulary (ids from 2 in this order). */
  static fromVocab(
    kind: 'char' | 'word',
    vocab: readonly string[],
    opts: { lowercase?: boolean; unkToken?: string } = {},
  ): Tokenizer {
    if (new Set(vocab).size !== vocab.length)
      throw new ArgumentError('Tokenizer.fromVocab', 'vocab', 'distinct tokens', 'duplicates');
    return new Tokenizer(
      kind,
      [...vocab],
      opts.lowercase ?? false,
      opts.unkToken ?? (kind === 'char' ? '\uFFFD' : '<unk>'),
    );
  }

  static fromJSON(json: unknown): Tokenizer {
    const j = json as Partial<TokenizerJSON> | null;
    if (
      !j ||
      (j.kind !== 'char' && j.kind !== 'word') ||
      !Array.isArray(j.vocab) ||
      !j.vocab.every((t) => typeof t === 'string')
    ) {
      throw new ArgumentError(
        'Tokenizer.fromJSON',
        'json',
        "{ kind: 'char'|'word', vocab: string[], lowercase, unkToken }",
        describe(json),
      );
    }
    return Tokenizer.fromVocab(j.kind, j.vocab, {
      lowercase: j.lowercase === true,
      ...(typeof j.unkToken === 'string' ? { unkToken: j.unkToken } : {}),
    });
  }

  toJSON(): TokenizerJSON {
    return {
      kind: this.kind,
      lowercase: this.lowercase,
      unkToken: this.unkToken,
      vocab: [...this.vocab],
    };
  }

  /** The token strings of a text (after lowercasing), before mapping to ids. */
  tokens(text: string): string[] {
    return split(this.kind, this.lowercase ? text.toLowerCase() : text);
  }

  encode(text: string, stats?: EncodeStats): Int32Array {
    const toks = this.tokens(text);
    const out = new Int32Array(toks.length);
    let unknown = 0;
    for (let i = 0; i < toks.length; i++) {
      const id = this.ids.get(toks[i]!);
      if (id === undefined) unknown++;
      out[i] = id ?? UNK_ID;
    }
    if (stats) {
      stats.tokens += toks.length;
      stats.unknown += unknown;
    }
    return out;
  }

  idOf(token: string): number {
    return this.ids.get(token) ?? UNK_ID;
  }

  tokenOf(id: number): string {
    if (id === PAD_ID) return '';
    if (id === UNK_ID) return this.unkToken;
    const tok = this.vocab[id - RESERVED];
    if (tok === undefined)
      throw new ArgumentError('Tokenizer.decode', 'id', `an id in [0, ${this.size})`, describe(id));
    return tok;
  }

  /** Ids back to text; PAD is dropped. Words are joined by spaces, none before closing punctuation. */
  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === PAD_ID) continue;
      const tok = this.tokenOf(ids[i]!);
      if (this.kind === 'word' && out.length > 0 && !NO_SPACE_BEFORE.has(tok)) out += ' ';
      out += tok;
    }
    return out;
  }
}

function split(kind: 'char' | 'word', text: string): string[] {
  // Array.from splits by code point, so characters outside the BMP stay whole.
  return kind === 'char' ? Array.from(text) : (text.match(WORD_RE) ?? []);
}
