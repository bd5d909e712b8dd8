/**
 * Looking inside the synthesiser.
 *
 * Attribution of output frames to the conditioning (gradient × input): for decoder step t of a
 * word, the scalar y_t = mean of the frames written at step t (the step's loudness in z-scored
 * log-mel), and for the digit embedding e_d and the speaker embedding e_s
 *   A_d(t) = Σ_k e_d,k·∂y_t/∂e_d,k,   A_s(t) = Σ_k e_s,k·∂y_t/∂e_s,k.
 * The word is first generated free-running, then re-read teacher-forced over its own frames
 * with the pre-net dropout off (the mean network), so the gradient follows the direct path of the
 * conditioning at every step given the frames so far, not the feedback through earlier frames.
 * All steps are attributed in one backward pass: the word is repeated once per step in a batch,
 * copy t carrying the gradient of y_t.
 *
 * Which units carry the digit and which the speaker: every digit is generated in every voice (a
 * balanced two-way design), each recurrent unit's mean activation over the word is taken, and its
 * variance across the words is split into the digit main effect (variance of the per-digit means),
 * the speaker main effect (variance of the per-speaker means) and the rest (interaction and
 * dropout noise); shares are of the total variance.
 */
import { Rng } from '../core/rng.js';
import type { TtsModel } from './acoustic-model.js';
import { generate } from './generate.js';
import { makeBatch } from './tts-data.js';

export interface StepAttribution {
  digit: string;
  speaker: string;
  /** per decoder step */
  digitAttribution: number[];
  speakerAttribution: number[];
}

export function attributeConditioning(model: TtsModel, digit: string, speaker: string, seed = 0): StepAttribution {
  const c = model.config;
  const g = generate(model, digit, speaker, { seed });
  const d = c.digits.indexOf(digit);
  const s = c.speakers.indexOf(speaker);
  const T = Math.ceil(g.frames / c.reduction);
  const ex = Array.from({ length: T }, () => ({ digit: d, speaker: s, mel: g.mel, frames: g.frames }));
  const { input } = makeBatch(ex, c.melBands, c.reduction, (n) => model.backend.alloc(n));
  const F = c.reduction * c.melBands;
  const out = model.forward(input, { rng: new Rng(seed), prenetDropout: false });
  const dMel = new Float64Array(out.mel.length);
  for (let t = 0; t < T; t++) for (let k = 0; k < F; k++) dMel[(t * T + t) * F + k] = 1 / F;
  const grads = model.backward(dMel, new Float64Array(out.stop.length), { paramGrads: false });
  const gx = (emb: ArrayLike<number>, grad: ArrayLike<number>, dim: number) =>
    Array.from({ length: T }, (_, t) => {
      let v = 0;
      for (let k = 0; k < dim; k++) v += emb[t * dim + k]! * grad[t * dim + k]!;
      return v;
    });
  return { digit, speaker, digitAttribution: gx(out.digitEmbedding, grads.digitEmbedding, c.digitDim), speakerAttribution: gx(out.speakerEmbedding, grads.speakerEmbedding, c.speakerDim) };
}

export interface UnitShares {
  layer: string;
  unit: number;
  digitShare: number;
  speakerShare: number;
  variance: number;
}

export function unitVarianceSplit(model: TtsModel, seed = 0): UnitShares[] {
  const c = model.config;
  const D = c.digits.length;
  const S = c.speakers.length;
  const H = c.hidden;
  // per layer: mean activation [D, S, H]
  const means = new Map<string, Float64Array>();
  for (let di = 0; di < D; di++)
    for (let si = 0; si < S; si++) {
      const g = generate(model, c.digits[di]!, c.speakers[si]!, { seed: seed + di * S + si, trace: true });
      for (const [layer, st] of Object.entries(g.states!)) {
        const m = means.get(layer) ?? means.set(layer, new Float64Array(D * S * H)).get(layer)!;
        const steps = st.length / H;
        for (let t = 0; t < steps; t++) for (let u = 0; u < H; u++) m[(di * S + si) * H + u] = m[(di * S + si) * H + u]! + st[t * H + u]! / steps;
      }
    }
  const out: UnitShares[] = [];
  for (const [layer, m] of means) {
    for (let u = 0; u < H; u++) {
      let grand = 0;
      for (let i = 0; i < D * S; i++) grand += m[i * H + u]!;
      grand /= D * S;
      let total = 0;
      for (let i = 0; i < D * S; i++) total += (m[i * H + u]! - grand) ** 2;
      total /= D * S;
      let vd = 0;
      for (let di = 0; di < D; di++) {
        let a = 0;
        for (let si = 0; si < S; si++) a += m[(di * S + si) * H + u]!;
        vd += (a / S - grand) ** 2;
      }
      vd /= D;
      let vs = 0;
      for (let si = 0; si < S; si++) {
        let a = 0;
        for (let di = 0; di < D; di++) a += m[(di * S + si) * H + u]!;
        vs += (a / D - grand) ** 2;
      }
      vs /= S;
      out.push({ layer, unit: u, digitShare: total > 0 ? vd / total : 0, speakerShare: total > 0 ? vs / total : 0, variance: total });
    }
  }
  return out;
}
