/**
 * The classifiers a probe is made of, in float64:
 * - `fitLogistic`: multinomial logistic regression with an L2 penalty on the weights (intercepts
 *   unpenalised), the objective of scikit-learn's LogisticRegression: ½‖W‖² + C Σᵢ −log p(yᵢ | xᵢ),
 *   minimised with L-BFGS. Two classes use one weight vector (class 0 fixed at zero), as
 *   scikit-learn does, so the penalty means the same thing.
 * - `fitMlp`: one ReLU hidden layer and a softmax output, weight decay, minibatch Adam.
 * Rows are X [n, d] row-major, labels y in 0..k−1.
 */
import { ArgumentError, describe } from '../core/errors.js';
import { Rng } from '../core/rng.js';

export interface Classifier {
  classes: number;
  /** class probabilities [n, k] of the rows X [n, d] */
  predictProba(X: Float64Array, n: number): Float64Array;
}

function checkData(where: string, X: Float64Array, n: number, d: number, y: ArrayLike<number>, k: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(where, 'n', 'an integer >= 1', describe(n));
  if (!Number.isInteger(d) || d < 1) throw new ArgumentError(where, 'd', 'an integer >= 1', describe(d));
  if (!Number.isInteger(k) || k < 2) throw new ArgumentError(where, 'classes', 'an integer >= 2', describe(k));
  if (X.length !== n * d) throw new ArgumentError(where, 'X', `${n * d} values [${n}, ${d}]`, `${X.length}`);
  if (y.length !== n) throw new ArgumentError(where, 'y', `${n} labels`, `${y.length}`);
  for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i]!)) throw new ArgumentError(where, `X[${Math.floor(i / d)}][${i % d}]`, 'a finite number', describe(X[i]));
  for (let i = 0; i < n; i++) if (!Number.isInteger(y[i]) || y[i]! < 0 || y[i]! >= k) throw new ArgumentError(where, `y[${i}]`, `a class in 0..${k - 1}`, describe(y[i]));
}

/** Softmax of each row of z [n, k] in place. */
function softmaxRows(z: Float64Array, n: number, k: number): void {
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, z[i * k + c]!);
    let s = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[i * k + c]! - m);
      z[i * k + c] = e;
      s += e;
    }
    for (let c = 0; c < k; c++) z[i * k + c] = z[i * k + c]! / s;
  }
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
}

/** L-BFGS (two-loop recursion, memory m) with a backtracking Armijo line search. */
export function lbfgs(
  fg: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  opts: { maxIter?: number; gtol?: number; memory?: number } = {},
): LbfgsResult {
  const maxIter = opts.maxIter ?? 1000;
  const gtol = opts.gtol ?? 1e-10;
  const m = opts.memory ?? 10;
  const P = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(P);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(P);
  const xn = new Float64Array(P);
  const gn = new Float64Array(P);
  const alpha = new Array<number>(m).fill(0);
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < P; i++) s += a[i]! * b[i]!;
    return s;
  };
  const gmax = () => g.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  let it = 0;
  for (; it < maxIter; it++) {
    if (gmax() < gtol) return { x, f, iterations: it, converged: true };
    for (let i = 0; i < P; i++) d[i] = -g[i]!;
    for (let j = S.length - 1; j >= 0; j--) {
      alpha[j] = rho[j]! * dot(S[j]!, d);
      for (let i = 0; i < P; i++) d[i] = d[i]! - alpha[j]! * Y[j]![i]!;
    }
    const gamma = S.length ? dot(S[S.length - 1]!, Y[Y.length - 1]!) / dot(Y[Y.length - 1]!, Y[Y.length - 1]!) : 1 / Math.max(1, Math.sqrt(dot(g, g)));
    for (let i = 0; i < P; i++) d[i] = d[i]! * gamma;
    for (let j = 0; j < S.length; j++) {
      const b = rho[j]! * dot(Y[j]!, d);
      for (let i = 0; i < P; i++) d[i] = d[i]! + S[j]![i]! * (alpha[j]! - b);
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // not a descent direction: restart from steepest descent
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < P; i++) d[i] = -g[i]! / Math.max(1, Math.sqrt(dot(g, g)));
      slope = dot(g, d);
    }
    let step = 1;
    let fn = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < P; i++) xn[i] = x[i]! + step * d[i]!;
      fn = fg(xn, gn);
      if (Number.isFinite(fn) && fn <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fn <= f)) return { x, f, iterations: it, converged: gmax() < gtol * 1e3 };
    const s = new Float64Array(P);
    const yv = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      s[i] = xn[i]! - x[i]!;
      yv[i] = gn[i]! - g[i]!;
    }
    const sy = dot(s, yv);
    if (sy > 1e-300) {
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const df = f - fn;
    x.set(xn);
    g.set(gn);
    f = fn;
    if (df <= 1e-16 * Math.max(1, Math.abs(f))) return { x, f, iterations: it + 1, converged: true };
  }
  return { x, f, iterations: it, converged: gmax() < gtol };
}

export interface LogisticOptions {
  /** inverse regularisation strength, as in scikit-learn (default 1) */
  C?: number;
  maxIter?: number;
  /** stop when every gradient component of the objective / (C·n) is below this (default 1e-10) */
  gtol?: number;
}

export interface LogisticModel extends Classifier {
  /** [d, k] (two classes: column 0 is zero) */
  W: Float64Array;
  b: Float64Array;
  converged: boolean;
}

export function fitLogistic(X: Float64Array, n: number, d: number, y: ArrayLike<number>, k: number, opts: LogisticOptions = {}): LogisticModel {
  const where = 'fitLogistic';
  checkData(where, X, n, d, y, k);
  const C = opts.C ?? 1;
  if (!(C > 0) || !Number.isFinite(C)) throw new ArgumentError(where, 'C', 'a positive number', describe(C));
  // free classes: all k, or k−1 (class 0 pinned at zero) for two classes
  const first = k === 2 ? 1 : 0;
  const kf = k - first;
  const P = d * kf + kf;
  const z = new Float64Array(n * k);
  const scale = 1 / (C * n);
  const unpack = (p: Float64Array) => {
    const W = new Float64Array(d * k);
    const b = new Float64Array(k);
    for (let j = 0; j < d; j++) for (let c = 0; c < kf; c++) W[j * k + c + first] = p[j * kf + c]!;
    for (let c = 0; c < kf; c++) b[c + first] = p[d * kf + c]!;
    return { W, b };
  };
  const fg = (p: Float64Array, grad: Float64Array): number => {
    const { W, b } = unpack(p);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < k; c++) {
        let s = b[c]!;
        for (let j = 0; j < d; j++) s += X[i * d + j]! * W[j * k + c]!;
        z[i * k + c] = s;
      }
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let c = 0; c < k; c++) m = Math.max(m, z[i * k + c]!);
      let s = 0;
      for (let c = 0; c < k; c++) s += Math.exp(z[i * k + c]! - m);
      loss += m + Math.log(s) - z[i * k + y[i]!]!;
    }
    softmaxRows(z, n, k);
    for (let i = 0; i < n; i++) z[i * k + y[i]!] = z[i * k + y[i]!]! - 1;
    grad.fill(0);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < kf; c++) {
        const r = z[i * k + c + first]!;
        if (r === 0) continue;
        for (let j = 0; j < d; j++) grad[j * kf + c] = grad[j * kf + c]! + r * X[i * d + j]!;
        grad[d * kf + c] = grad[d * kf + c]! + r;
      }
    let pen = 0;
    for (let q = 0; q < d * kf; q++) {
      pen += p[q]! * p[q]!;
      grad[q] = grad[q]! / n + scale * p[q]!;
    }
    for (let c = 0; c < kf; c++) grad[d * kf + c] = grad[d * kf + c]! / n;
    return loss / n + 0.5 * scale * pen;
  };
  const r = lbfgs(fg, new Float64Array(P), { maxIter: opts.maxIter ?? 2000, gtol: opts.gtol ?? 1e-10 });
  const { W, b } = unpack(r.x);
  return {
    classes: k,
    W,
    b,
    converged: r.converged,
    predictProba(Xq: Float64Array, nq: number): Float64Array {
      const out = new Float64Array(nq * k);
      for (let i = 0; i < nq; i++)
        for (let c = 0; c < k; c++) {
          let s = b[c]!;
          for (let j = 0; j < d; j++) s += Xq[i * d + j]! * W[j * k + c]!;
          out[i * k + c] = s;
        }
      softmaxRows(out, nq, k);
      return out;
    },
  };
}

export interface MlpOptions {
  hidden?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  seed?: number;
}

export function fitMlp(X: Float64Array, n: number, d: number, y: ArrayLike<number>, k: number, opts: MlpOptions = {}): Classifier {
  const where = 'fitMlp';
  checkData(where, X, n, d, y, k);
  const H = opts.hidden ?? 64;
  const epochs = opts.epochs ?? 30;
  const B = opts.batchSize ?? 128;
  const lr = opts.lr ?? 3e-3;
  const wd = opts.weightDecay ?? 1e-4;
  for (const [name, v] of [['hidden', H], ['epochs', epochs], ['batchSize', B]] as const)
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(where, name, 'an integer >= 1', describe(v));
  const rng = new Rng(opts.seed ?? 0);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  // parameters: W1 [d, H], b1 [H], W2 [H, k], b2 [k] in one vector
  const o1 = 0;
  const ob1 = d * H;
  const o2 = ob1 + H;
  const ob2 = o2 + H * k;
  const P = ob2 + k;
  const p = new Float64Array(P);
  for (let q = 0; q < d * H; q++) p[o1 + q] = gauss() * Math.sqrt(2 / d);
  for (let q = 0; q < H * k; q++) p[o2 + q] = gauss() * Math.sqrt(1 / H);
  const mom = new Float64Array(P);
  const vel = new Float64Array(P);
  const grad = new Float64Array(P);
  const a = new Float64Array(B * H);
  const z = new Float64Array(B * k);
  const da = new Float64Array(B * H);
  let t = 0;
  for (let e = 0; e < epochs; e++) {
    const order = rng.permutation(n);
    for (let start = 0; start < n; start += B) {
      const rows = Math.min(B, n - start);
      grad.fill(0);
      for (let r = 0; r < rows; r++) {
        const i = order[start + r]!;
        for (let h = 0; h < H; h++) {
          let s = p[ob1 + h]!;
          for (let j = 0; j < d; j++) s += X[i * d + j]! * p[o1 + j * H + h]!;
          a[r * H + h] = s > 0 ? s : 0;
        }
        for (let c = 0; c < k; c++) {
          let s = p[ob2 + c]!;
          for (let h = 0; h < H; h++) s += a[r * H + h]! * p[o2 + h * k + c]!;
          z[r * k + c] = s;
        }
      }
      softmaxRows(z, rows, k);
      for (let r = 0; r < rows; r++) {
        const i = order[start + r]!;
        z[r * k + y[i]!] = z[r * k + y[i]!]! - 1;
        for (let h = 0; h < H; h++) {
          let s = 0;
          for (let c = 0; c < k; c++) {
            const g = z[r * k + c]! / rows;
            grad[o2 + h * k + c] = grad[o2 + h * k + c]! + a[r * H + h]! * g;
            s += p[o2 + h * k + c]! * g;
          }
          da[r * H + h] = a[r * H + h]! > 0 ? s : 0;
        }
        for (let c = 0; c < k; c++) grad[ob2 + c] = grad[ob2 + c]! + z[r * k + c]! / rows;
        for (let h = 0; h < H; h++) {
          const g = da[r * H + h]!;
          if (g === 0) continue;
          grad[ob1 + h] = grad[ob1 + h]! + g;
          for (let j = 0; j < d; j++) grad[o1 + j * H + h] = grad[o1 + j * H + h]! + X[i * d + j]! * g;
        }
      }
      t++;
      const c1 = 1 - 0.9 ** t;
      const c2 = 1 - 0.999 ** t;
      for (let q = 0; q < P; q++) {
        const g = grad[q]! + (q < ob1 || (q >= o2 && q < ob2) ? wd * p[q]! : 0);
        mom[q] = 0.9 * mom[q]! + 0.1 * g;
        vel[q] = 0.999 * vel[q]! + 0.001 * g * g;
        p[q] = p[q]! - (lr * mom[q]! / c1) / (Math.sqrt(vel[q]! / c2) + 1e-8);
      }
    }
  }
  return {
    classes: k,
    predictProba(Xq: Float64Array, nq: number): Float64Array {
      const out = new Float64Array(nq * k);
      const hid = new Float64Array(H);
      for (let i = 0; i < nq; i++) {
        for (let h = 0; h < H; h++) {
          let s = p[ob1 + h]!;
          for (let j = 0; j < d; j++) s += Xq[i * d + j]! * p[o1 + j * H + h]!;
          hid[h] = s > 0 ? s : 0;
        }
        for (let c = 0; c < k; c++) {
          let s = p[ob2 + c]!;
          for (let h = 0; h < H; h++) s += hid[h]! * p[o2 + h * k + c]!;
          out[i * k + c] = s;
        }
      }
      softmaxRows(out, nq, k);
      return out;
    },
  };
}
