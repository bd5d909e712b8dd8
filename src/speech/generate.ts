/**
 * Free-running synthesis with the acoustic model: the decoder runs one step at a time, reading
 * the last frame it wrote (through the pre-net, whose dropout stays on: a seeded Rng), carrying
 * every recurrent layer's state to the next step, until the stop output passes 0.5 (after
 * `minSteps`) or `maxSteps` is reached.
 */
import { ArgumentError, describe } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { FinalState } from '../nn/layer.js';
import type { TtsModel } from './acoustic-model.js';

export interface GenerateOptions {
  seed?: number;
  maxSteps?: number;
  minSteps?: number;
  /** record every recurrent layer's hidden state per step */
  trace?: boolean;
}

export interface Generated {
  /** normalised frames [frames, M] */
  mel: Float32Array;
  frames: number;
  /** stop probability per decoder step */
  stop: number[];
  /** by layer name: hidden states [steps, H] */
  states?: Record<string, Float32Array>;
  stopped: boolean;
}

/** Index of a name in a list, or a clear error listing the known names. */
export function indexOfName(where: string, argument: string, names: string[], value: string): number {
  const i = names.indexOf(value);
  if (i < 0) throw new ArgumentError(where, argument, `one of the model's ${argument}s: ${names.join(', ')}`, describe(value));
  return i;
}

export function generate(model: TtsModel, digit: string, speaker: string, opts: GenerateOptions = {}): Generated {
  const c = model.config;
  const d = indexOfName('synthesize', 'digit', c.digits, digit);
  const s = indexOfName('synthesize', 'speaker', c.speakers, speaker);
  const maxSteps = opts.maxSteps ?? Math.ceil(160 / c.reduction);
  const minSteps = opts.minSteps ?? Math.ceil(16 / c.reduction);
  if (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 10000) throw new ArgumentError('generate', 'maxSteps', 'an integer in [1, 10000]', describe(maxSteps));
  const rng = new Rng(opts.seed ?? 0);
  const M = c.melBands;
  const r = c.reduction;
  const be = model.backend;
  const frames: Float32Array[] = [];
  const stop: number[] = [];
  const states: Record<string, Float32Array[]> = {};
  let prev = be.alloc(M);
  let carry: FinalState[] | undefined;
  let stopped = false;
  for (let j = 0; j < maxSteps; j++) {
    const out = model.forward({ digit: Int32Array.of(d), speaker: Int32Array.of(s), prev, batch: 1, steps: 1, lengths: Int32Array.of(1) }, { rng, initialStates: carry, outputsOnly: true });
    carry = out.final.map((f) => ({ ...f, h: Float32Array.from(f.h), ...(f.c ? { c: Float32Array.from(f.c) } : {}) }));
    if (opts.trace) for (const f of carry) (states[f.layer] ??= []).push(f.h as Float32Array);
    for (let k = 0; k < r; k++) frames.push(Float32Array.from(out.mel.subarray(k * M, (k + 1) * M)));
    const p = 1 / (1 + Math.exp(-out.stop[0]!));
    stop.push(p);
    prev = be.alloc(M);
    prev.set(out.mel.subarray((r - 1) * M, r * M));
    if (j + 1 >= minSteps && p > 0.5) {
      stopped = true;
      break;
    }
  }
  const mel = new Float32Array(frames.length * M);
  frames.forEach((f, i) => mel.set(f, i * M));
  const res: Generated = { mel, frames: frames.length, stop, stopped };
  if (opts.trace) {
    res.states = {};
    for (const [k, list] of Object.entries(states)) {
      const H = list[0]!.length;
      const a = new Float32Array(list.length * H);
      list.forEach((h, i) => a.set(h, i * H));
      res.states[k] = a;
    }
  }
  return res;
}
