/**
 * Gradient verification for users: the model's analytic gradients (backward) against float64
 * central differences, per parameter tensor.
 *
 * The scalar checked is L(w) = Σ output(w) ⊙ R, with R a fixed seeded standard-normal array shaped
 * like the output (zero at padded steps), so every output contributes. For a parameter element w:
 *   numeric  n = (L(w + ε) − L(w − ε)) / 2ε,   ε = 1e-6, in float64 ('ts64' backend);
 *   error    e = |a − n| / max(|a|, |n|, floor),   floor = 1e-4.
 * The floor keeps near-zero gradients, where the difference quotient is dominated by rounding,
 * from counting as large relative errors. That rounding error is about ε_mach·Σ|output ⊙ R|/ε
 * (`noise`; larger for a trained model with large logits), so the floor used is
 * max(floor, 10·noise/threshold): below it, elements are held to an absolute error of 10·noise.
 * A tensor passes when its worst e ≤ threshold (default 1e-4); a correct backward typically
 * gives 1e-10 to 1e-5.
 * ReLU kinks can make a single element's difference quotient wrong by construction; such a
 * failure names the element so it can be inspected.
 *
 * Which elements: all of a tensor when it has at most `perTensor` elements, else `perTensor`
 * seeded random elements plus the element with the largest analytic gradient.
 */
import { ArgumentError, RnnlensError, checkInt } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import { Tensor, type FloatArray } from '../core/tensor.js';
import { makeBatches } from '../data/batching.js';
import type { Dataset } from '../data/dataset.js';
import type { Flow } from '../nn/layer.js';
import { SequenceModel, type ModelInput } from '../nn/model.js';
import { batchInput } from '../train/tasks.js';

export interface GradCheckOptions {
  /** difference step; default 1e-6 */
  eps?: number;
  /** pass when every tensor's worst error is at most this; default 1e-4 */
  threshold?: number;
  /** denominator floor of the relative error; default 1e-4 */
  floor?: number;
  /** elements checked per tensor (all when the tensor is smaller); default 32 */
  perTensor?: number;
  seed?: number;
  onProgress?: ProgressCallback;
}

export interface TensorGradCheck {
  name: string;
  shape: number[];
  size: number;
  checked: number;
  worstError: number;
  /** flat index of the worst element, with its analytic and numeric gradient */
  worstIndex: number;
  analytic: number;
  numeric: number;
  passed: boolean;
}

export interface GradCheckResult {
  passed: boolean;
  eps: number;
  threshold: number;
  /** the denominator floor used: max(options.floor, 10·noise/threshold) */
  floor: number;
  /** estimated rounding error of one difference quotient, ε_mach·Σ|output ⊙ R|/ε */
  noise: number;
  /** L at the unperturbed weights */
  loss: number;
  batch: number;
  tensors: TensorGradCheck[];
  worst: { name: string; error: number };
}

/** The part of a model the check needs (a SequenceModel, or a wrapper around one). */
export type CheckableModel = Pick<SequenceModel, 'parameters' | 'forward' | 'backward' | 'predict' | 'zeroGrad' | 'backend'>;

function projection(out: Flow, seed: number): Flow {
  const r = new Float64Array(out.data.length);
  new Rng(seed).fillNormal(r);
  if (out instanceof Tensor) return new Tensor(out.shape, r);
  const F = out.features;
  for (let b = 0; b < out.batch; b++) r.fill(0, (b * out.steps + out.lengths[b]!) * F, (b + 1) * out.steps * F);
  return { ...out, data: r };
}

function dot(a: FloatArray, b: FloatArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function chooseElements(size: number, grad: FloatArray, perTensor: number, rng: Rng): number[] {
  if (size <= perTensor) return Array.from({ length: size }, (_, i) => i);
  const picked = new Set<number>();
  let largest = 0;
  for (let i = 1; i < size; i++) if (Math.abs(grad[i]!) > Math.abs(grad[largest]!)) largest = i;
  picked.add(largest);
  const perm = rng.permutation(size);
  for (let j = 0; picked.size < perTensor + 1 && j < size; j++) picked.add(perm[j]!);
  return [...picked].sort((x, y) => x - y);
}

/** Checks a float64 model's backward against central differences (see the file comment). */
export function verifyGradients(model: CheckableModel, input: ModelInput, opts: GradCheckOptions = {}): GradCheckResult {
  const where = 'verifyGradients';
  const eps = opts.eps ?? 1e-6;
  const threshold = opts.threshold ?? 1e-4;
  const minFloor = opts.floor ?? 1e-4;
  const perTensor = opts.perTensor ?? 32;
  checkInt(where, 'perTensor', perTensor, 1);
  for (const [k, v] of [['eps', eps], ['threshold', threshold], ['floor', minFloor]] as const) {
    if (!(v > 0 && Number.isFinite(v))) throw new ArgumentError(where, k, 'a positive number', String(v));
  }
  if (model.backend.dtype !== 'float64') {
    throw new ArgumentError(where, 'model', "a model on a float64 backend ('ts64'; use toFloat64(model))", `a ${model.backend.dtype} model`);
  }
  const seed = opts.seed ?? 0;
  const params = model.parameters();
  model.zeroGrad();
  const { output } = model.forward(input, { training: false });
  const R = projection(output, seed);
  const loss = dot(output.data, R.data);
  if (!Number.isFinite(loss)) throw new RnnlensError(`${where}: the model's output is not finite (L = ${loss}); check the weights and the input`);
  let magnitude = 0;
  for (let i = 0; i < output.data.length; i++) magnitude += Math.abs(output.data[i]! * R.data[i]!);
  const noise = (Number.EPSILON * magnitude) / eps;
  const floor = Math.max(minFloor, (10 * noise) / threshold);
  model.backward(R, { wantInputGrad: false });
  const L = (): number => dot(model.predict(input, { batchSize: input.batch }).data, R.data);
  const rng = new Rng(seed + 1);
  const tensors: TensorGradCheck[] = [];
  params.forEach((p, pi) => {
    const analyticAll = Float64Array.from(p.grad);
    const elements = chooseElements(p.value.length, analyticAll, perTensor, rng);
    let worst = { error: -1, index: 0, analytic: 0, numeric: 0 };
    for (const i of elements) {
      const w = p.value[i]!;
      p.value[i] = w + eps;
      const up = L();
      p.value[i] = w - eps;
      const down = L();
      p.value[i] = w;
      const n = (up - down) / (2 * eps);
      const a = analyticAll[i]!;
      const e = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor);
      const error = Number.isNaN(e) ? Infinity : e; // a NaN gradient is the worst possible result
      if (error > worst.error) worst = { error, index: i, analytic: a, numeric: n };
    }
    tensors.push({ name: p.name, shape: [...p.shape], size: p.value.length, checked: elements.length, worstError: Math.max(0, worst.error), worstIndex: worst.index, analytic: worst.analytic, numeric: worst.numeric, passed: Math.max(0, worst.error) <= threshold });
    opts.onProgress?.({ task: 'gradcheck', done: pi + 1, total: params.length, message: p.name });
  });
  const w = tensors.reduce((m, t) => (t.worstError > m.error ? { name: t.name, error: t.worstError } : m), { name: tensors[0]?.name ?? '', error: 0 });
  return { passed: tensors.every((t) => t.passed), eps, threshold, floor, noise, loss, batch: input.batch, tensors, worst: w };
}

/** A float64 ('ts64') copy of a model, as the check needs (the same model when it already is). */
export function toFloat64(model: SequenceModel): SequenceModel {
  return model.backend.dtype === 'float64' ? model : model.to('ts64');
}

/** `samples` random sequences of `steps` steps for the model's input (numeric N(0,1) or token ids ≥ 2). */
export function randomInputs(model: SequenceModel, opts: { samples?: number; steps?: number; seed?: number } = {}): ModelInput {
  const B = opts.samples ?? 4;
  const T = opts.steps ?? 8;
  checkInt('randomInputs', 'samples', B, 1);
  checkInt('randomInputs', 'steps', T, 1);
  const rng = new Rng(opts.seed ?? 0);
  // unequal lengths exercise the masking path too: the last sequence is shorter when B > 1
  const lengths = Int32Array.from({ length: B }, (_, b) => (b === B - 1 && B > 1 ? Math.max(1, Math.ceil(T / 2)) : T));
  const spec = model.inputSpec;
  if (spec.kind === 'tokens') {
    const ids = new Int32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]!; t++) ids[b * T + t] = 2 + rng.int(Math.max(1, spec.vocabSize - 2));
    return { ids, batch: B, steps: T, lengths };
  }
  const data = new Float64Array(B * T * spec.features);
  rng.fillNormal(data);
  for (let b = 0; b < B; b++) data.fill(0, (b * T + lengths[b]!) * spec.features, (b + 1) * T * spec.features);
  return { data, batch: B, steps: T, features: spec.features, lengths };
}

/** The first `samples` items of a dataset as one padded model input. */
export function datasetInputs(model: SequenceModel, ds: Dataset, samples = 4): ModelInput {
  checkInt('datasetInputs', 'samples', samples, 1);
  if (ds.items.length === 0) throw new ArgumentError('datasetInputs', 'dataset', 'at least one item', 'an empty dataset');
  const small = { ...ds, items: ds.items.slice(0, samples) };
  const [b] = makeBatches(small, { batchSize: samples, bucketByLength: false });
  return batchInput(model, b!);
}
