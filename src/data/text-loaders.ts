/**
 * Text loaders: CSV, JSONL and folder-per-class files to raw (text, label) records, and raw
 * records to a token Dataset for sequence classification.
 */
import { join } from 'node:path';
import { RnnlensError } from '../core/errors.js';
import { columnIndex, parseCsv } from './csv.js';
import { classNamesOf, createDataset, labelIndex, type Dataset, type Item } from './dataset.js';
import { listFolder, readInputText } from './files.js';
import { splitIndices } from './split.js';
import { Tokenizer, type EncodeStats, type TokenizerOptions } from './tokenizer.js';

export interface TextRecord {
  text: string;
  label: string;
  source: string;
}

export interface TextColumns {
  /** column name (or 0-based index for CSV) of the text; default 'text' */
  textColumn?: string | number;
  /** column name (or index) of the label; default 'label' */
  labelColumn?: string | number;
}

export function loadTextCsv(
  path: string,
  opts: TextColumns & { delimiter?: string } = {},
): TextRecord[] {
  const table = parseCsv(readInputText(path, 'CSV file'), {
    delimiter: opts.delimiter ?? ',',
    source: path,
  });
  const ti = columnIndex(table, opts.textColumn ?? 'text', path);
  const li = columnIndex(table, opts.labelColumn ?? 'label', path);
  if (table.rows.length === 0) throw new RnnlensError(`${path}: a header but no data rows`);
  return table.rows.map((row, k) => {
    if (row[li]!.trim() === '')
      throw new RnnlensError(`${path}: line ${table.lines[k]}: empty label`);
    return { text: row[ti]!, label: row[li]!.trim(), source: `${path}:${table.lines[k]}` };
  });
}

export function loadTextJsonl(
  path: string,
  opts: { textField?: string; labelField?: string } = {},
): TextRecord[] {
  const tf = opts.textField ?? 'text';
  const lf = opts.labelField ?? 'label';
  const out: TextRecord[] = [];
  readInputText(path, 'JSONL file')
    .split(/\r?\n/)
    .forEach((line, k) => {
      if (line.trim() === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        throw new RnnlensError(`${path}: line ${k + 1}: not valid JSON (${(e as Error).message})`);
      }
      const o = obj as Record<string, unknown>;
      if (typeof o !== 'object' || o === null || typeof o[tf] !== 'string') {
        throw new RnnlensError(
          `${path}: line ${k + 1}: expected an object with a string field ${JSON.stringify(tf)}`,
        );
      }
      const label = o[lf];
      if (typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean') {
        throw new RnnlensError(
          `${path}: line ${k + 1}: expected a string, number or boolean field ${JSON.stringify(lf)}, found ${JSON.stringify(label)}`,
        );
      }
      out.push({ text: o[tf] as string, label: String(label), source: `${path}:${k + 1}` });
    });
  if (out.length === 0) throw new RnnlensError(`${path}: no records`);
  return out;
}

/** One sub-folder per class; every file inside (default: *.txt) is one text. */
export function loadTextFolders(root: string, opts: { extension?: string } = {}): TextRecord[] {
  const ext = opts.extension ?? '.txt';
  const out: TextRecord[] = [];
  for (const cls of listFolder(root, 'text folder').filter((e) => e.isDir)) {
    for (const f of listFolder(join(root, cls.name)).filter(
      (e) => !e.isDir && e.name.endsWith(ext),
    )) {
      const p = join(root, cls.name, f.name);
      out.push({ text: readInputText(p, 'text file'), label: cls.name, source: p });
    }
  }
  if (out.length === 0)
    throw new RnnlensError(`text folder ${root}: no '${ext}' files in class sub-folders`);
  return out;
}

export interface TextDatasetOptions {
  name?: string;
  /** an already fitted tokenizer (for validation/test data); otherwise one is fitted on these texts */
  tokenizer?: Tokenizer;
  tokenizerKind?: 'char' | 'word';
  tokenizerOptions?: TokenizerOptions;
  /** the class list from training; labels outside it are an error */
  classNames?: string[];
  /** cut texts to at most this many tokens (keeps the start) */
  maxLength?: number;
}

/** Tokenizes records into a classification dataset; `unknown` counts tokens mapped to UNK. */
export function textClassificationDataset(
  records: readonly TextRecord[],
  opts: TextDatasetOptions = {},
): { dataset: Dataset; stats: EncodeStats } {
  const name = opts.name ?? 'text';
  if (records.length === 0) throw new RnnlensError(`text dataset '${name}': no records`);
  const tok =
    opts.tokenizer ??
    Tokenizer.fit(
      opts.tokenizerKind ?? 'word',
      records.map((r) => r.text),
      opts.tokenizerOptions,
    );
  const classNames = opts.classNames ?? classNamesOf(records.map((r) => r.label));
  const stats: EncodeStats = { tokens: 0, unknown: 0 };
  const items: Item[] = records.map((r) => {
    let ids = tok.encode(r.text, stats);
    if (opts.maxLength !== undefined && ids.length > opts.maxLength)
      ids = ids.slice(0, opts.maxLength);
    // An empty text still needs one step for a recurrent model; a lone UNK marks "nothing known".
    if (ids.length === 0) ids = Int32Array.of(1);
    return {
      x: ids,
      steps: ids.length,
      label: labelIndex(`text dataset '${name}'`, classNames, r.label, r.source),
      meta: { source: r.source },
    };
  });
  const dataset = createDataset({
    name,
    input: 'tokens',
    vocabSize: tok.size,
    target: 'class',
    classNames,
    items,
    settings: { tokenizer: tok.toJSON(), maxLength: opts.maxLength ?? null },
  });
  return { dataset, stats };
}

export interface TextSplitOptions extends Omit<
  TextDatasetOptions,
  'tokenizer' | 'classNames' | 'name'
> {
  name?: string;
  seed: number;
  validation?: number;
  test?: number;
  stratify?: boolean;
}

/**
 * Splits raw records first (seeded, optionally stratified), then fits the tokenizer and the class
 * list on the training records only and encodes all three parts with them, so no vocabulary
 * comes from held-out text. Returns the parts and the UNK counts of each.
 */
export function textClassificationSplits(records: readonly TextRecord[], opts: TextSplitOptions) {
  const name = opts.name ?? 'text';
  const parts = splitIndices(
    records.length,
    opts,
    opts.stratify ? records.map((r) => r.label) : undefined,
  );
  const pick = (idx: number[]) => idx.map((i) => records[i]!);
  const trainRecs = pick(parts.train);
  if (trainRecs.length === 0)
    throw new RnnlensError(`text dataset '${name}': the training part is empty`);
  const tokenizer = Tokenizer.fit(
    opts.tokenizerKind ?? 'word',
    trainRecs.map((r) => r.text),
    opts.tokenizerOptions,
  );
  const classNames = classNamesOf(trainRecs.map((r) => r.label));
  const build = (part: string, recs: TextRecord[]) =>
    recs.length === 0
      ? {
          dataset: createDataset({
            name: `${name}/${part}`,
            input: 'tokens',
            vocabSize: tokenizer.size,
            target: 'class',
            classNames,
            items: [],
            settings: { tokenizer: tokenizer.toJSON(), maxLength: opts.maxLength ?? null },
          }),
          stats: { tokens: 0, unknown: 0 },
        }
      : textClassificationDataset(recs, {
          ...opts,
          name: `${name}/${part}`,
          tokenizer,
          classNames,
        });
  const train = build('train', trainRecs);
  const validation = build('validation', pick(parts.validation));
  const test = build('test', pick(parts.test));
  return {
    train: train.dataset,
    validation: validation.dataset,
    test: test.dataset,
    tokenizer,
    unknown: { train: train.stats, validation: validation.stats, test: test.stats },
  };
}
