/**
 * The synthesiser's training loss: L1 + L2 on the z-scored log-mel frames (mean over the real
 * frames and bands; frames past a word's end inside its last decoder step are not counted) plus
 * binary cross-entropy of the stop output (target 1 at each word's last decoder step, 0 before;
 * the one positive step per word is weighted by `stopWeight` against the many negatives).
 */
import type { FloatArray } from '../core/tensor.js';

export interface TtsLoss {
  loss: number;
  mel: number;
  stop: number;
  dMel: Float64Array;
  dStop: Float64Array;
}

export function ttsLoss(mel: FloatArray, stop: FloatArray, target: FloatArray, frames: Int32Array, lengths: Int32Array, T: number, M: number, r: number, stopWeight = 5): TtsLoss {
  const B = lengths.length;
  const dMel = new Float64Array(mel.length);
  const dStop = new Float64Array(stop.length);
  let count = 0;
  for (let b = 0; b < B; b++) count += frames[b]! * M;
  let steps = 0;
  for (let b = 0; b < B; b++) steps += lengths[b]!;
  let l1 = 0;
  let l2 = 0;
  for (let b = 0; b < B; b++) {
    for (let f = 0; f < frames[b]!; f++) {
      const o = (b * T * r + f) * M;
      for (let m = 0; m < M; m++) {
        const d = mel[o + m]! - target[o + m]!;
        l1 += Math.abs(d);
        l2 += d * d;
        dMel[o + m] = (Math.sign(d) + 2 * d) / count;
      }
    }
  }
  let bce = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]!; t++) {
      const z = stop[b * T + t]!;
      const y = t === lengths[b]! - 1 ? 1 : 0;
      const w = y === 1 ? stopWeight : 1;
      // log(1 + e^-|z|) + max(z, 0) − y z, stably
      bce += w * (Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - y * z);
      dStop[b * T + t] = (w * (1 / (1 + Math.exp(-z)) - y)) / steps;
    }
  }
  const melLoss = (l1 + l2) / count;
  const stopLoss = bce / steps;
  return { loss: melLoss + stopLoss, mel: melLoss, stop: stopLoss, dMel, dStop };
}
