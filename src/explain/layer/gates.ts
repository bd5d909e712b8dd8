/**
 * Per-gate contributions of LSTM and GRU layers: at every step, how much of the new state is
 * what the cell KEPT from the previous state and how much it WROTE,
 *
 *   LSTM   c_t = f_t⊙c_{t−1} + i_t⊙g_t       keep = f⊙c_{t−1},  write = i⊙g,      state = c_t
 *   GRU    h_t = z_t⊙h_{t−1} + (1−z_t)⊙n_t   keep = z⊙h_{t−1},  write = (1−z)⊙n,  state = h_t
 *
 * with writeShare[b, t] = Σ_j |write| / (Σ_j |keep| + Σ_j |write|) (0 when both vanish).
 * Arrays are [B, T, H] batch-first by INPUT position; for a backward direction the previous state
 * of position t is the state at t + 1 (it reads the sequence from its end). Padding is 0.
 * SimpleRNN layers have no gates and are left out.
 */
import { ArgumentError } from '../../core/errors.js';
import type { Direction, RecurrentState } from '../../nn/layer.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';

export interface GateContribution {
  layer: string;
  direction: Direction;
  cell: 'lstm' | 'gru';
  batch: number;
  steps: number;
  units: number;
  lengths: Int32Array;
  /** LSTM f⊙c_{t−1}; GRU z⊙h_{t−1} [B, T, H]. */
  keep: Float64Array;
  /** LSTM i⊙g; GRU (1−z)⊙n [B, T, H]. */
  write: Float64Array;
  /** LSTM c_t; GRU h_t [B, T, H] (= keep + write). */
  state: Float64Array;
  /** [B, T]. */
  writeShare: Float64Array;
  /** Gate activations [B, T, G·H] (LSTM i f g o, GRU r z n). */
  gates: Float64Array;
}

export function gateContributions(
  model: SequenceModel,
  input: ModelInput,
  opts: { initialStates?: Record<string, Partial<Record<Direction, RecurrentState>>> } = {},
): GateContribution[] {
  const fwd = opts.initialStates
    ? { trace: true, initialStates: opts.initialStates }
    : { trace: true };
  const { trace } = model.forward(input, fwd);
  const out: GateContribution[] = [];
  for (const tr of trace!) {
    if (tr.cell === 'rnn') continue;
    const { batch: B, steps: T, units: H, lengths } = tr;
    const G = tr.gateCount;
    const lstm = tr.cell === 'lstm';
    const stateSeq = lstm ? tr.c! : tr.h;
    const init = opts.initialStates?.[tr.layer]?.[tr.direction];
    const init0 = lstm ? init?.c : init?.h;
    const keep = new Float64Array(B * T * H);
    const write = new Float64Array(B * T * H);
    const state = new Float64Array(B * T * H);
    const writeShare = new Float64Array(B * T);
    for (let b = 0; b < B; b++) {
      const len = lengths[b]!;
      for (let t = 0; t < len; t++) {
        const prevT = tr.direction === 'forward' ? t - 1 : t + 1;
        const first = prevT < 0 || prevT >= len;
        let sk = 0;
        let sw = 0;
        for (let j = 0; j < H; j++) {
          const prev = first ? (init0 ? init0[b * H + j]! : 0) : stateSeq[(b * T + prevT) * H + j]!;
          const gi = (b * T + t) * G * H;
          const k = (b * T + t) * H + j;
          if (lstm) {
            keep[k] = tr.gates[gi + H + j]! * prev; // f⊙c_{t−1}
            write[k] = tr.gates[gi + j]! * tr.gates[gi + 2 * H + j]!; // i⊙g
          } else {
            const z = tr.gates[gi + H + j]!;
            keep[k] = z * prev; // z⊙h_{t−1}
            write[k] = (1 - z) * tr.gates[gi + 2 * H + j]!; // (1−z)⊙n
          }
          state[k] = stateSeq[k]!;
          sk += Math.abs(keep[k]!);
          sw += Math.abs(write[k]!);
        }
        writeShare[b * T + t] = sk + sw > 0 ? sw / (sk + sw) : 0;
      }
    }
    const gates = Float64Array.from(tr.gates);
    for (let b = 0; b < B; b++) gates.fill(0, (b * T + lengths[b]!) * G * H, (b + 1) * T * G * H);
    out.push({
      layer: tr.layer,
      direction: tr.direction,
      cell: tr.cell,
      batch: B,
      steps: T,
      units: H,
      lengths,
      keep,
      write,
      state,
      writeShare,
      gates,
    });
  }
  if (out.length === 0)
    throw new ArgumentError(
      'gateContributions',
      'model',
      'a model with an LSTM or GRU layer',
      'no gated recurrent layer',
    );
  return out;
}
