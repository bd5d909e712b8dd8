/**
 * Per-step annotations to relate units to: user-provided per-step labels, or built-ins for
 * character models read from the decoded text of each sequence (state starts fresh at every
 * sequence, so a text cut into windows loses context across window borders):
 * - `quotes`: 1 while a quotation is open after reading the character (" toggles; “ opens, ” closes);
 * - `line-position`: characters since the last newline;
 * - `bracket-depth`: nesting depth of ( [ { after reading the character (unmatched closers ignored);
 * - `char-class`: letter / digit / space / punctuation / other, one indicator annotation per class;
 * - `token`: identity of the input token, one indicator per frequent token (the 10 most frequent).
 * An annotation is a Float64Array aligned with the trace rows (real steps, sequences in order).
 */
import { ArgumentError, RnnlensError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { Tokenizer } from '../../data/tokenizer.js';

export interface Annotation {
  name: string;
  values: Float64Array;
}

export const BUILTIN_ANNOTATIONS = [
  'quotes',
  'line-position',
  'bracket-depth',
  'char-class',
  'token',
] as const;
export type BuiltinAnnotation = (typeof BUILTIN_ANNOTATIONS)[number];

/** The characters (tokens) read at each step of each traced sequence. */
export function stepTokens(ds: Dataset, sequences: Int32Array): string[][] {
  const tokJson = (ds.settings as { tokenizer?: unknown }).tokenizer;
  const tok = ds.input === 'tokens' && tokJson ? Tokenizer.fromJSON(tokJson) : null;
  return Array.from(sequences, (s) => {
    const it = ds.items[s]!;
    if (tok) return Array.from(it.x as Int32Array, (id) => tok.tokenOf(id));
    const text = it.meta?.text;
    if (typeof text === 'string' && Array.from(text).length === it.steps) return Array.from(text);
    throw new RnnlensError(
      `annotations: built-in annotations need the text of each step (a token dataset with a tokenizer in its settings, or meta.text of the sequence's length); dataset '${ds.name}' has neither`,
    );
  });
}

const OPEN = '([{';
const CLOSE = ')]}';

function perStep(
  tokens: string[][],
  f: (chars: string[], out: Float64Array, offset: number) => void,
  total: number,
): Float64Array {
  const out = new Float64Array(total);
  let o = 0;
  for (const chars of tokens) {
    f(chars, out, o);
    o += chars.length;
  }
  return out;
}

export function charClass(c: string): string {
  if (/^\p{L}$/u.test(c)) return 'letter';
  if (/^\p{N}$/u.test(c)) return 'digit';
  if (/^\s$/u.test(c)) return 'space';
  if (/^\p{P}$/u.test(c)) return 'punctuation';
  return 'other';
}

function indicators(
  prefix: string,
  labels: string[][],
  keep: string[],
  total: number,
): Annotation[] {
  return keep.map((k) => ({
    name: `${prefix}=${k}`,
    values: perStep(
      labels,
      (ls, out, o) => ls.forEach((l, t) => (out[o + t] = l === k ? 1 : 0)),
      total,
    ),
  }));
}

/** The built-in annotation `name` (several indicator annotations for categorical ones). */
export function builtinAnnotation(
  name: string,
  tokens: string[][],
  opts: { topTokens?: number } = {},
): Annotation[] {
  const total = tokens.reduce((n, s) => n + s.length, 0);
  switch (name as BuiltinAnnotation) {
    case 'quotes':
      return [
        {
          name,
          values: perStep(
            tokens,
            (cs, out, o) => {
              let inside = 0;
              cs.forEach((c, t) => {
                if (c === '"') inside = 1 - inside;
                else if (c === '“') inside = 1;
                else if (c === '”') inside = 0;
                out[o + t] = inside;
              });
            },
            total,
          ),
        },
      ];
    case 'line-position':
      return [
        {
          name,
          values: perStep(
            tokens,
            (cs, out, o) => {
              let pos = 0;
              cs.forEach((c, t) => {
                pos = c === '\n' ? 0 : pos + 1;
                out[o + t] = pos;
              });
            },
            total,
          ),
        },
      ];
    case 'bracket-depth':
      return [
        {
          name,
          values: perStep(
            tokens,
            (cs, out, o) => {
              let d = 0;
              cs.forEach((c, t) => {
                if (OPEN.includes(c)) d++;
                else if (CLOSE.includes(c) && d > 0) d--;
                out[o + t] = d;
              });
            },
            total,
          ),
        },
      ];
    case 'char-class': {
      const classes = tokens.map((cs) => cs.map(charClass));
      const present = ['letter', 'digit', 'space', 'punctuation', 'other'].filter((k) =>
        classes.some((cs) => cs.includes(k)),
      );
      return indicators(name, classes, present, total);
    }
    case 'token': {
      const counts = new Map<string, number>();
      for (const cs of tokens) for (const c of cs) counts.set(c, (counts.get(c) ?? 0) + 1);
      const top = [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, opts.topTokens ?? 10)
        .map(([k]) => k);
      return indicators(name, tokens, top, total);
    }
    default:
      throw new ArgumentError(
        'annotations',
        'annotate',
        `one of ${BUILTIN_ANNOTATIONS.join(', ')} (or user-provided per-step labels)`,
        JSON.stringify(name),
      );
  }
}

/**
 * User-provided per-step labels: one array per traced sequence, each as long as the sequence.
 * A length mismatch is an error naming the sequence.
 */
export function userAnnotation(
  name: string,
  labels: readonly ArrayLike<number>[],
  offsets: Int32Array,
): Annotation {
  const where = `annotation '${name}'`;
  const S = offsets.length - 1;
  if (labels.length !== S)
    throw new ArgumentError(
      where,
      'labels',
      `one array per sequence (${S})`,
      `${labels.length} arrays`,
    );
  const values = new Float64Array(offsets[S]!);
  labels.forEach((l, s) => {
    const len = offsets[s + 1]! - offsets[s]!;
    if (!l || l.length !== len)
      throw new ArgumentError(
        where,
        `labels[${s}]`,
        `${len} values (the sequence's length)`,
        `${l?.length ?? 0} values`,
      );
    for (let t = 0; t < len; t++) {
      const v = Number(l[t]);
      if (!Number.isFinite(v))
        throw new ArgumentError(where, `labels[${s}][${t}]`, 'a finite number', String(l[t]));
      values[offsets[s]! + t] = v;
    }
  });
  return { name, values };
}

/** The dataset's own per-step tags (e.g. bracket depth, next-token ids) as an annotation. */
export function tagAnnotation(
  ds: Dataset,
  sequences: Int32Array,
  offsets: Int32Array,
  name = 'tags',
): Annotation {
  const labels = Array.from(sequences, (s) => {
    const tags = ds.items[s]!.tags;
    if (!tags)
      throw new RnnlensError(
        `annotations: dataset '${ds.name}' has no per-step tags (sequence ${s})`,
      );
    return tags;
  });
  return userAnnotation(name, labels, offsets);
}
