/**
 * The acoustic model of speech synthesis: an autoregressive recurrent decoder that writes log-mel
 * frames for one spoken word, conditioned on the digit and the speaker (the decoder of Tacotron
 * without attention: one word and one fixed conditioning vector per utterance leave nothing to
 * align, so the conditioning is simply given to every step).
 *
 * Decoder step j (r = `reduction` frames per step, M mel bands, frames z-scored per band):
 *   e_d = E_d·onehot(digit), e_s = E_s·onehot(speaker)          (Dense layers without bias use)
 *   p_j = drop(relu(W2·drop(relu(W1·y_{jr−1}))))                  pre-net; y_{−1} = 0 (go frame)
 *   h_j = RNN_L(…RNN_1([p_j, e_d, e_s]))                            stacked LSTM/GRU layers
 *   ŷ_{jr..jr+r−1} = Wo·h_j + bo,   stop_j = σ(ws·h_j + bs)
 * The pre-net's dropout stays on at inference (Tacotron 2): it is the model's only source of
 * variation between takes and keeps the decoder from copying its previous frame. In training the
 * decoder reads the true previous frames (teacher forcing), so one forward pass runs every step.
 *
 * Every part is an ordinary rnnlens layer (Dense, Dropout, LstmLayer/GRU via RecurrentLayer), so
 * traces, step gradients and initial states work as for any SequenceModel layer.
 */
import { getBackend, type BackendName } from '../core/backends.js';
import type { Backend } from '../core/backend.js';
import { ArgumentError, describe } from '../core/errors.js';
import { checkLimit } from '../core/limits.js';
import type { Parameter } from '../core/parameter.js';
import { Rng } from '../core/rng.js';
import { Tensor, type FloatArray } from '../core/tensor.js';
import { DenseLayer } from '../nn/dense.js';
import { DropoutLayer } from '../nn/dropout.js';
import type { DirectionTrace, FinalState, Layer, SeqBatch } from '../nn/layer.js';
import type { BuildContext } from '../nn/params.js';
import { RecurrentLayer } from '../nn/recurrent.js';

export interface TtsConfig {
  digits: string[];
  speakers: string[];
  melBands: number;
  /** frames per decoder step */
  reduction: number;
  cell: 'lstm' | 'gru';
  hidden: number;
  layers: number;
  prenet: number;
  prenetDropout: number;
  digitDim: number;
  speakerDim: number;
}

/** One batch of teacher-forced decoder input. */
export interface TtsBatch {
  digit: Int32Array;
  speaker: Int32Array;
  /** previous frames [B, T, M] (the last frame of the previous step; zeros at step 0) */
  prev: FloatArray;
  batch: number;
  steps: number;
  /** decoder steps per utterance */
  lengths: Int32Array;
}

export interface TtsForward {
  /** frames [B, T, r·M] */
  mel: FloatArray;
  /** stop logits [B, T] */
  stop: FloatArray;
  trace?: DirectionTrace[];
  final: FinalState[];
  /** the conditioning vectors [B, digitDim] and [B, speakerDim] */
  digitEmbedding: FloatArray;
  speakerEmbedding: FloatArray;
}

export interface TtsGrads {
  digitEmbedding: FloatArray;
  speakerEmbedding: FloatArray;
}

interface Tape {
  saved: unknown[];
  batch: TtsBatch;
}

export function checkTtsConfig(c: TtsConfig): void {
  const where = 'TtsModel config';
  const int = (k: keyof TtsConfig, min: number, max = 100000) => {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw new ArgumentError(where, k, `an integer in [${min}, ${max}]`, describe(v));
  };
  if (!Array.isArray(c.digits) || c.digits.length < 1) throw new ArgumentError(where, 'digits', 'a non-empty list of names', describe(c.digits));
  if (!Array.isArray(c.speakers) || c.speakers.length < 1) throw new ArgumentError(where, 'speakers', 'a non-empty list of names', describe(c.speakers));
  if (c.cell !== 'lstm' && c.cell !== 'gru') throw new ArgumentError(where, 'cell', "'lstm' or 'gru'", describe(c.cell));
  int('melBands', 2, 512);
  int('reduction', 1, 16);
  int('hidden', 1, 4096);
  int('layers', 1, 8);
  int('prenet', 1, 4096);
  int('digitDim', 1, 1024);
  int('speakerDim', 1, 1024);
  if (!(c.prenetDropout >= 0 && c.prenetDropout < 1)) throw new ArgumentError(where, 'prenetDropout', 'a number in [0, 1)', describe(c.prenetDropout));
}

/** The number of parameters a config declares (checked against the limits before anything is built). */
export function ttsParameterCount(c: TtsConfig): number {
  const G = c.cell === 'lstm' ? 4 : 3;
  const dense = (i: number, o: number) => i * o + o;
  let n = dense(c.digits.length, c.digitDim) + dense(c.speakers.length, c.speakerDim) + dense(c.melBands, c.prenet) + dense(c.prenet, c.prenet);
  let inSize = c.prenet + c.digitDim + c.speakerDim;
  for (let l = 0; l < c.layers; l++) {
    n += inSize * G * c.hidden + c.hidden * G * c.hidden + 2 * G * c.hidden;
    inSize = c.hidden;
  }
  return n + dense(c.hidden, c.reduction * c.melBands) + dense(c.hidden, 1);
}

export class TtsModel {
  readonly config: TtsConfig;
  readonly backend: Backend;
  readonly digitEmbed: DenseLayer;
  readonly speakerEmbed: DenseLayer;
  readonly prenet1: DenseLayer;
  readonly drop1: DropoutLayer;
  readonly prenet2: DenseLayer;
  readonly drop2: DropoutLayer;
  readonly recurrent: RecurrentLayer[];
  readonly melOut: DenseLayer;
  readonly stopOut: DenseLayer;
  private tape: Tape | null = null;

  constructor(config: TtsConfig, opts: { seed?: number; backend?: Backend | BackendName } = {}) {
    checkTtsConfig(config);
    checkLimit('TtsModel config', 'parameters', 'parameters', ttsParameterCount(config));
    this.config = { ...config, digits: [...config.digits], speakers: [...config.speakers] };
    this.backend = typeof opts.backend === 'object' ? opts.backend : getBackend(opts.backend);
    const ctx: BuildContext = { dtype: this.backend.dtype, rng: new Rng(opts.seed ?? 0), init: 'keras', unitForgetBias: true };
    const c = config;
    this.digitEmbed = new DenseLayer({ kind: 'dense', name: 'digit_embedding', units: c.digitDim }, c.digits.length, ctx);
    this.speakerEmbed = new DenseLayer({ kind: 'dense', name: 'speaker_embedding', units: c.speakerDim }, c.speakers.length, ctx);
    this.prenet1 = new DenseLayer({ kind: 'dense', name: 'prenet_1', units: c.prenet, activation: 'relu' }, c.melBands, ctx);
    this.drop1 = new DropoutLayer({ kind: 'dropout', name: 'prenet_dropout_1', rate: c.prenetDropout }, c.prenet);
    this.prenet2 = new DenseLayer({ kind: 'dense', name: 'prenet_2', units: c.prenet, activation: 'relu' }, c.prenet, ctx);
    this.drop2 = new DropoutLayer({ kind: 'dropout', name: 'prenet_dropout_2', rate: c.prenetDropout }, c.prenet);
    this.recurrent = [];
    let inSize = c.prenet + c.digitDim + c.speakerDim;
    for (let l = 0; l < c.layers; l++) {
      this.recurrent.push(new RecurrentLayer({ kind: c.cell, name: `decoder_${l + 1}`, units: c.hidden, returnSequences: true }, inSize, ctx));
      inSize = c.hidden;
    }
    this.melOut = new DenseLayer({ kind: 'dense', name: 'mel_out', units: c.reduction * c.melBands }, c.hidden, ctx);
    this.stopOut = new DenseLayer({ kind: 'dense', name: 'stop_out', units: 1 }, c.hidden, ctx);
  }

  /** Every layer in forward order. */
  layers(): Layer[] {
    return [this.digitEmbed, this.speakerEmbed, this.prenet1, this.drop1, this.prenet2, this.drop2, ...this.recurrent, this.melOut, this.stopOut];
  }

  parameters(): Parameter[] {
    return this.layers().flatMap((l) => l.parameters());
  }

  /** One-hot rows [B, n] for class indices. */
  private oneHot(where: string, ids: Int32Array, names: string[]): Tensor {
    const n = names.length;
    const data = this.backend.alloc(ids.length * n);
    ids.forEach((v, b) => {
      if (!Number.isInteger(v) || v < 0 || v >= n) throw new ArgumentError('TtsModel', `${where}[${b}]`, `an index in [0, ${n - 1}] (${names.join(', ')})`, describe(v));
      data[b * n + v] = 1;
    });
    return new Tensor([ids.length, n], data);
  }

  /**
   * The decoder over all steps of a teacher-forced batch. Dropout in the pre-net uses `rng` (it
   * is on in training and in synthesis alike; `prenetDropout: false` turns it off, e.g. for gradient
   * checks). Keeps a tape for `backward` unless `outputsOnly`.
   */
  forward(batch: TtsBatch, opts: { rng?: Rng; prenetDropout?: boolean; trace?: boolean; initialStates?: FinalState[]; outputsOnly?: boolean } = {}): TtsForward {
    const c = this.config;
    const be = this.backend;
    const { batch: B, steps: T, lengths } = batch;
    const M = c.melBands;
    if (batch.digit.length !== B || batch.speaker.length !== B || lengths.length !== B) throw new ArgumentError('TtsModel.forward', 'batch', `digit, speaker and lengths of ${B} entries`, `${batch.digit.length}, ${batch.speaker.length}, ${lengths.length}`);
    if (batch.prev.length !== B * T * M) throw new ArgumentError('TtsModel.forward', 'batch.prev', `[${B}, ${T}, ${M}] frames`, `${batch.prev.length} values`);
    const dropOn = opts.prenetDropout ?? true;
    const rng = opts.rng ?? new Rng(0);
    const fo = { backend: be, training: false, trace: false };
    const saved: unknown[] = [];
    const ed = this.digitEmbed.forward(this.oneHot('digit', batch.digit, c.digits), fo);
    const es = this.speakerEmbed.forward(this.oneHot('speaker', batch.speaker, c.speakers), fo);
    saved.push(ed.saved, es.saved);
    const seq: SeqBatch = { data: batch.prev, batch: B, steps: T, features: M, lengths };
    const p1 = this.prenet1.forward(seq, fo);
    const d1 = this.drop1.forward(p1.output, { ...fo, training: dropOn, rng });
    const p2 = this.prenet2.forward(d1.output, fo);
    const d2 = this.drop2.forward(p2.output, { ...fo, training: dropOn, rng });
    saved.push(p1.saved, d1.saved, p2.saved, d2.saved);
    const P = c.prenet;
    const Ed = c.digitDim;
    const Es = c.speakerDim;
    const F = P + Ed + Es;
    const x = be.alloc(B * T * F);
    const pre = (d2.output as SeqBatch).data;
    const edv = (ed.output as Tensor).data;
    const esv = (es.output as Tensor).data;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < lengths[b]!; t++) {
        const o = (b * T + t) * F;
        x.set(pre.subarray((b * T + t) * P, (b * T + t + 1) * P), o);
        x.set(edv.subarray(b * Ed, (b + 1) * Ed), o + P);
        x.set(esv.subarray(b * Es, (b + 1) * Es), o + P + Ed);
      }
    }
    let flow: SeqBatch = { data: x, batch: B, steps: T, features: F, lengths };
    const trace: DirectionTrace[] = [];
    const final: FinalState[] = [];
    for (const layer of this.recurrent) {
      const init = opts.initialStates?.find((s) => s.layer === layer.name);
      const r = layer.forward(flow, { ...fo, trace: opts.trace ?? false, outputsOnly: opts.outputsOnly, initialState: init ? { forward: { h: init.h, c: init.c ?? null } } : undefined });
      saved.push(r.saved);
      if (r.trace) trace.push(...r.trace);
      final.push(...(r.final ?? []));
      flow = r.output as SeqBatch;
    }
    const mo = this.melOut.forward(flow, fo);
    const so = this.stopOut.forward(flow, fo);
    saved.push(mo.saved, so.saved);
    this.tape = opts.outputsOnly ? null : { saved, batch };
    return { mel: (mo.output as SeqBatch).data, stop: (so.output as SeqBatch).data, final, digitEmbedding: edv, speakerEmbedding: esv, ...(opts.trace ? { trace } : {}) };
  }

  /**
   * Backward from gradients on the frames [B, T, r·M] and the stop logits [B, T]; accumulates
   * parameter gradients (unless `paramGrads` is false) and returns the gradients on the two
   * conditioning vectors.
   */
  backward(dMel: FloatArray, dStop: FloatArray, opts: { paramGrads?: boolean } = {}): TtsGrads {
    if (!this.tape) throw new ArgumentError('TtsModel.backward', 'tape', 'a forward pass (without outputsOnly) first', 'none');
    const { saved, batch } = this.tape;
    this.tape = null;
    const c = this.config;
    const be = this.backend;
    const { batch: B, steps: T, lengths } = batch;
    const pg = opts.paramGrads ?? true;
    const bo = { backend: be, wantInputGrad: true, paramGrads: pg };
    const H = c.hidden;
    const L = this.recurrent.length;
    const seqOf = (data: FloatArray, features: number): SeqBatch => ({ data, batch: B, steps: T, features, lengths });
    const [sEd, sEs, sP1, sD1, sP2, sD2] = saved as unknown[];
    const sRec = saved.slice(6, 6 + L);
    const [sMo, sSo] = saved.slice(6 + L) as unknown[];
    const gm = this.melOut.backward(seqOf(dMel, c.reduction * c.melBands), sMo, bo).gradInput as SeqBatch;
    const gs = this.stopOut.backward(seqOf(dStop, 1), sSo, bo).gradInput as SeqBatch;
    const g = be.alloc(B * T * H);
    for (let i = 0; i < g.length; i++) g[i] = gm.data[i]! + gs.data[i]!;
    let flow: SeqBatch = seqOf(g, H);
    for (let l = L - 1; l >= 0; l--) flow = this.recurrent[l]!.backward(flow, sRec[l], bo).gradInput as SeqBatch;
    const P = c.prenet;
    const Ed = c.digitDim;
    const Es = c.speakerDim;
    const F = P + Ed + Es;
    const dPre = be.alloc(B * T * P);
    const dEd = be.alloc(B * Ed);
    const dEs = be.alloc(B * Es);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < lengths[b]!; t++) {
        const o = (b * T + t) * F;
        for (let k = 0; k < P; k++) dPre[(b * T + t) * P + k] = flow.data[o + k]!;
        for (let k = 0; k < Ed; k++) dEd[b * Ed + k] = dEd[b * Ed + k]! + flow.data[o + P + k]!;
        for (let k = 0; k < Es; k++) dEs[b * Es + k] = dEs[b * Es + k]! + flow.data[o + P + Ed + k]!;
      }
    }
    if (pg) {
      let gp = this.drop2.backward(seqOf(dPre, P), sD2, bo).gradInput!;
      gp = this.prenet2.backward(gp, sP2, bo).gradInput!;
      gp = this.drop1.backward(gp, sD1, bo).gradInput!;
      this.prenet1.backward(gp, sP1, { ...bo, wantInputGrad: false });
      this.digitEmbed.backward(new Tensor([B, Ed], dEd), sEd, { ...bo, wantInputGrad: false });
      this.speakerEmbed.backward(new Tensor([B, Es], dEs), sEs, { ...bo, wantInputGrad: false });
    }
    return { digitEmbedding: dEd, speakerEmbedding: dEs };
  }
}
