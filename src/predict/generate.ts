/**
 * Text generation from a character (or word) language model: feed a prime text, then sample one
 * token at a time from softmax(logits / temperature), optionally restricted to the top k.
 * The whole prefix is re-run each step (state carrying between calls is not exposed by the
 * model), which is fine for the short samples this is for.
 */
import { ArgumentError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { Tokenizer, PAD_ID, UNK_ID } from '../data/tokenizer.js';
import type { SequenceModel } from '../nn/model.js';
import { maxOf } from '../core/extent.js';

export interface GenerateOptions {
  length: number;
  temperature?: number;
  topK?: number;
  seed?: number;
  /** longest context fed to the model (the training window length is a good choice) */
  context?: number;
}

export function generateText(model: SequenceModel, preprocessing: Record<string, unknown>, prime: string, opts: GenerateOptions): string {
  const where = 'generate';
  if (!preprocessing.tokenizer) throw new ArgumentError(where, 'model', 'a language model saved with a tokenizer', 'a model without one');
  if (model.inputSpec.kind !== 'tokens') throw new ArgumentError(where, 'model', 'a token (language) model', 'a numeric model');
  const temperature = opts.temperature ?? 1;
  if (!(temperature > 0)) throw new ArgumentError(where, 'temperature', 'a number > 0', String(temperature));
  if (!Number.isInteger(opts.length) || opts.length < 1) throw new ArgumentError(where, 'length', 'an integer >= 1', String(opts.length));
  const tok = Tokenizer.fromJSON(preprocessing.tokenizer);
  const rng = new Rng(opts.seed ?? 0);
  const ids = Array.from(tok.encode(prime.length > 0 ? prime : '\n'));
  const context = opts.context ?? 200;
  const generated: number[] = [];
  for (let n = 0; n < opts.length; n++) {
    const window = ids.slice(-context);
    const out = model.predict({ ids: Int32Array.from(window), batch: 1, steps: window.length, lengths: Int32Array.of(window.length) });
    if (!('features' in out)) throw new ArgumentError(where, 'model', 'per-step outputs (a language model)', 'one output per sequence');
    const C = out.features;
    const row = Array.from(out.data.subarray((window.length - 1) * C, window.length * C));
    row[PAD_ID] = -Infinity;
    row[UNK_ID] = -Infinity;
    let cand = row.map((z, i) => ({ i, z: z / temperature }));
    if (opts.topK && opts.topK > 0) cand = cand.sort((a, b) => b.z - a.z).slice(0, opts.topK);
    const m = maxOf(cand.map((c) => c.z));
    const w = cand.map((c) => Math.exp(c.z - m));
    const total = w.reduce((s, x) => s + x, 0);
    let u = rng.next() * total;
    let pick = cand[cand.length - 1]!.i;
    for (let k = 0; k < cand.length; k++) {
      u -= w[k]!;
      if (u <= 0) {
        pick = cand[k]!.i;
        break;
      }
    }
    ids.push(pick);
    generated.push(pick);
  }
  return tok.decode(Int32Array.from(generated));
}
