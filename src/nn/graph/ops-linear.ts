/**
 * Linear-algebra graph ops: MatMul (numpy batching and broadcasting), Gemm, Conv and
 * ConvTranspose in 1-D (pads, strides, dilations, groups, auto_pad), MaxPool/AveragePool in 1-D,
 * GlobalAveragePool/GlobalMaxPool (normalisation: ops-norm.ts).
 * Layouts are ONNX's: Conv input [N, C, L], weight [M, C/g, K].
 */
import { broadcastIndex, broadcastShapes, checkSize, numel, type Nd } from './nd.js';
import { attrInts, attrNum, attrStr, need, opError, type GNode, type OpRule } from './rule.js';

interface MatMulPlan {
  shape: number[];
  batch: number;
  m: number;
  k: number;
  n: number;
  aOff: Int32Array;
  bOff: Int32Array;
  aShape: number[];
  bShape: number[];
}

function matmulPlan(a: Nd, b: Nd, node: GNode): MatMulPlan {
  const aS = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bS = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const m = aS[aS.length - 2]!;
  const k = aS[aS.length - 1]!;
  const n = bS[bS.length - 1]!;
  if (bS[bS.length - 2] !== k) opError(node, `shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not multiply`);
  const aB = aS.slice(0, -2);
  const bB = bS.slice(0, -2);
  const batchShape = broadcastShapes([aB, bB], `graph op '${node.name}' (MatMul)`);
  const batch = numel(batchShape);
  const ai = broadcastIndex(aB, batchShape);
  const bi = broadcastIndex(bB, batchShape);
  const shape = [...batchShape, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])];
  return { shape, batch, m, k, n, aOff: ai.map((v) => v * m * k), bOff: bi.map((v) => v * k * n), aShape: a.shape, bShape: b.shape };
}

const matmul: OpRule = {
  forward(ins, node) {
    const a = need(node, ins, 0);
    const b = need(node, ins, 1);
    const p = matmulPlan(a, b, node);
    const out = new Float64Array(checkSize([p.batch, p.m, p.n]));
    for (let t = 0; t < p.batch; t++) {
      const ao = p.aOff[t]!;
      const bo = p.bOff[t]!;
      const oo = t * p.m * p.n;
      for (let i = 0; i < p.m; i++)
        for (let j = 0; j < p.n; j++) {
          let s = 0;
          for (let q = 0; q < p.k; q++) s += a.data[ao + i * p.k + q]! * b.data[bo + q * p.n + j]!;
          out[oo + i * p.n + j] = s;
        }
    }
    return { outs: [{ shape: p.shape, data: out, int: a.int && b.int }], saved: p };
  },
  backward(g, ins, f) {
    const a = ins[0]!;
    const b = ins[1]!;
    const p = f.saved as MatMulPlan;
    const gy = g[0]!.data;
    const ga = new Float64Array(a.data.length);
    const gb = new Float64Array(b.data.length);
    for (let t = 0; t < p.batch; t++) {
      const ao = p.aOff[t]!;
      const bo = p.bOff[t]!;
      const oo = t * p.m * p.n;
      for (let i = 0; i < p.m; i++)
        for (let j = 0; j < p.n; j++) {
          const gv = gy[oo + i * p.n + j]!;
          if (gv === 0) continue;
          for (let q = 0; q < p.k; q++) {
            ga[ao + i * p.k + q] += gv * b.data[bo + q * p.n + j]!;
            gb[bo + q * p.n + j] += gv * a.data[ao + i * p.k + q]!;
          }
        }
    }
    return [a.int ? null : { shape: [...a.shape], data: ga, int: false }, b.int ? null : { shape: [...b.shape], data: gb, int: false }];
  },
};

/** Gemm: alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A (2-D), C broadcast to [M, N]. */
const gemm: OpRule = {
  forward(ins, node) {
    const a = need(node, ins, 0);
    const b = need(node, ins, 1);
    const c = ins[2] ?? null;
    const ta = attrNum(node, 'transA', 0) === 1;
    const tb = attrNum(node, 'transB', 0) === 1;
    const alpha = attrNum(node, 'alpha', 1);
    const beta = attrNum(node, 'beta', 1);
    if (a.shape.length !== 2 || b.shape.length !== 2) opError(node, `needs 2-D A and B, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    const M = ta ? a.shape[1]! : a.shape[0]!;
    const K = ta ? a.shape[0]! : a.shape[1]!;
    const N = tb ? b.shape[0]! : b.shape[1]!;
    if ((tb ? b.shape[1] : b.shape[0]) !== K) opError(node, `A [${a.shape.join(', ')}] and B [${b.shape.join(', ')}] do not multiply (transA ${+ta}, transB ${+tb})`);
    const A = (i: number, q: number) => (ta ? q * M + i : i * K + q);
    const B = (q: number, j: number) => (tb ? j * K + q : q * N + j);
    const cm = c ? broadcastIndex(c.shape, broadcastShapes([c.shape, [M, N]], `graph op '${node.name}' (Gemm)`)) : null;
    const out = new Float64Array(M * N);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let q = 0; q < K; q++) s += a.data[A(i, q)]! * b.data[B(q, j)]!;
        out[i * N + j] = alpha * s + (c ? beta * c.data[cm![i * N + j]!]! : 0);
      }
    return { outs: [{ shape: [M, N], data: out, int: false }], saved: { M, K, N, A, B, cm, alpha, beta } };
  },
  backward(g, ins, f) {
    const a = ins[0]!;
    const b = ins[1]!;
    const c = ins[2] ?? null;
    const s = f.saved as { M: number; K: number; N: number; A: (i: number, q: number) => number; B: (q: number, j: number) => number; cm: Int32Array | null; alpha: number; beta: number };
    const gy = g[0]!.data;
    const ga = new Float64Array(a.data.length);
    const gb = new Float64Array(b.data.length);
    const gc = c ? new Float64Array(c.data.length) : null;
    for (let i = 0; i < s.M; i++)
      for (let j = 0; j < s.N; j++) {
        const gv = gy[i * s.N + j]!;
        if (gc) gc[s.cm![i * s.N + j]!] += s.beta * gv;
        for (let q = 0; q < s.K; q++) {
          ga[s.A(i, q)] += s.alpha * gv * b.data[s.B(q, j)]!;
          gb[s.B(q, j)] += s.alpha * gv * a.data[s.A(i, q)]!;
        }
      }
    return [{ shape: [...a.shape], data: ga, int: false }, { shape: [...b.shape], data: gb, int: false }, c && gc ? { shape: [...c.shape], data: gc, int: false } : null];
  },
};

interface ConvGeom {
  N: number;
  C: number;
  L: number;
  M: number;
  K: number;
  G: number;
  Lo: number;
  stride: number;
  dil: number;
  padBegin: number;
}

function oneD(node: GNode, x: Nd, what: string): void {
  if (x.shape.length !== 3) opError(node, `${what} only in 1-D (input [N, C, L]); got an input of shape [${x.shape.join(', ')}]`);
}

function single(node: GNode, name: string, def: number): number {
  const v = attrInts(node, name);
  if (!v) return def;
  if (v.length !== 1) opError(node, `attribute ${name} [${v.join(', ')}]: only 1-D is supported`);
  return v[0]!;
}

function pads1d(node: GNode, L: number, K: number, stride: number, dil: number): [number, number] {
  const auto = attrStr(node, 'auto_pad', 'NOTSET');
  if (auto === 'VALID') return [0, 0];
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const out = Math.ceil(L / stride);
    const total = Math.max(0, (out - 1) * stride + (K - 1) * dil + 1 - L);
    const small = Math.floor(total / 2);
    return auto === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
  }
  const p = attrInts(node, 'pads') ?? [0, 0];
  if (p.length !== 2) opError(node, `attribute pads [${p.join(', ')}]: only 1-D is supported`);
  return [p[0]!, p[1]!];
}

function convGeom(node: GNode, x: Nd, w: Nd): ConvGeom {
  oneD(node, x, 'Conv');
  const [N, C, L] = x.shape as [number, number, number];
  const G = attrNum(node, 'group', 1);
  if (w.shape.length !== 3 || w.shape[1]! * G !== C) opError(node, `weight [${w.shape.join(', ')}] does not fit input channels ${C} with group ${G}`);
  const M = w.shape[0]!;
  if (M % G !== 0) opError(node, `${M} output channels do not split into ${G} groups`);
  const K = w.shape[2]!;
  const stride = single(node, 'strides', 1);
  const dil = single(node, 'dilations', 1);
  const [pb, pe] = pads1d(node, L, K, stride, dil);
  const Lo = Math.floor((L + pb + pe - dil * (K - 1) - 1) / stride) + 1;
  if (Lo < 1) opError(node, `input length ${L} is too short for kernel ${K} (dilation ${dil}, pads ${pb}, ${pe})`);
  return { N, C, L, M, K, G, Lo, stride, dil, padBegin: pb };
}

const conv: OpRule = {
  forward(ins, node) {
    const x = need(node, ins, 0);
    const w = need(node, ins, 1);
    const b = ins[2] ?? null;
    const g = convGeom(node, x, w);
    const cg = g.C / g.G;
    const mg = g.M / g.G;
    const out = new Float64Array(checkSize([g.N, g.M, g.Lo]));
    for (let n = 0; n < g.N; n++)
      for (let m = 0; m < g.M; m++) {
        const grp = Math.floor(m / mg);
        for (let o = 0; o < g.Lo; o++) {
          let s = b ? b.data[m]! : 0;
          for (let c = 0; c < cg; c++)
            for (let k = 0; k < g.K; k++) {
              const l = o * g.stride + k * g.dil - g.padBegin;
              if (l < 0 || l >= g.L) continue;
              s += w.data[(m * cg + c) * g.K + k]! * x.data[(n * g.C + grp * cg + c) * g.L + l]!;
            }
          out[(n * g.M + m) * g.Lo + o] = s;
        }
      }
    return { outs: [{ shape: [g.N, g.M, g.Lo], data: out, int: false }], saved: g };
  },
  backward(gr, ins, f) {
    const x = ins[0]!;
    const w = ins[1]!;
    const b = ins[2] ?? null;
    const g = f.saved as ConvGeom;
    const gy = gr[0]!.data;
    const cg = g.C / g.G;
    const mg = g.M / g.G;
    const gx = new Float64Array(x.data.length);
    const gw = new Float64Array(w.data.length);
    const gb = b ? new Float64Array(b.data.length) : null;
    for (let n = 0; n < g.N; n++)
      for (let m = 0; m < g.M; m++) {
        const grp = Math.floor(m / mg);
        for (let o = 0; o < g.Lo; o++) {
          const gv = gy[(n * g.M + m) * g.Lo + o]!;
          if (gb) gb[m] += gv;
          for (let c = 0; c < cg; c++)
            for (let k = 0; k < g.K; k++) {
              const l = o * g.stride + k * g.dil - g.padBegin;
              if (l < 0 || l >= g.L) continue;
              const xi = (n * g.C + grp * cg + c) * g.L + l;
              const wi = (m * cg + c) * g.K + k;
              gx[xi] += gv * w.data[wi]!;
              gw[wi] += gv * x.data[xi]!;
            }
        }
      }
    return [{ shape: [...x.shape], data: gx, int: false }, { shape: [...w.shape], data: gw, int: false }, b && gb ? { shape: [...b.shape], data: gb, int: false } : null];
  },
};

/** ConvTranspose 1-D: weight [C, M/g, K]; y[n, m, o] += x[n, c, l]·w[c, m', k] at o = l·s + k·d − pb. */
const convTranspose: OpRule = {
  forward(ins, node) {
    const x = need(node, ins, 0);
    const w = need(node, ins, 1);
    const b = ins[2] ?? null;
    oneD(node, x, 'ConvTranspose');
    const [N, C, L] = x.shape as [number, number, number];
    const G = attrNum(node, 'group', 1);
    if (w.shape.length !== 3 || w.shape[0] !== C) opError(node, `weight [${w.shape.join(', ')}] does not fit ${C} input channels`);
    const mg = w.shape[1]!;
    const M = mg * G;
    const K = w.shape[2]!;
    const s = single(node, 'strides', 1);
    const d = single(node, 'dilations', 1);
    const op = single(node, 'output_padding', 0);
    if (attrStr(node, 'auto_pad', 'NOTSET') !== 'NOTSET' || attrInts(node, 'output_shape')) opError(node, 'auto_pad and output_shape are not supported (give explicit pads)');
    const p = attrInts(node, 'pads') ?? [0, 0];
    if (p.length !== 2) opError(node, `attribute pads [${p.join(', ')}]: only 1-D is supported`);
    const Lo = s * (L - 1) + op + (K - 1) * d + 1 - p[0]! - p[1]!;
    if (Lo < 1) opError(node, `output length ${Lo} < 1`);
    const cg = C / G;
    const out = new Float64Array(checkSize([N, M, Lo]));
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) if (b) for (let o = 0; o < Lo; o++) out[(n * M + m) * Lo + o] = b.data[m]!;
      for (let c = 0; c < C; c++) {
        const grp = Math.floor(c / cg);
        for (let l = 0; l < L; l++) {
          const xv = x.data[(n * C + c) * L + l]!;
          for (let mm = 0; mm < mg; mm++)
            for (let k = 0; k < K; k++) {
              const o = l * s + k * d - p[0]!;
              if (o < 0 || o >= Lo) continue;
              out[(n * M + grp * mg + mm) * Lo + o] += xv * w.data[(c * mg + mm) * K + k]!;
            }
        }
      }
    }
    return { outs: [{ shape: [N, M, Lo], data: out, int: false }], saved: { N, C, L, M, mg, K, s, d, pb: p[0]!, Lo, cg } };
  },
  backward(gr, ins, f) {
    const x = ins[0]!;
    const w = ins[1]!;
    const b = ins[2] ?? null;
    const { N, C, L, M, mg, K, s, d, pb, Lo, cg } = f.saved as Record<string, number>;
    const gy = gr[0]!.data;
    const gx = new Float64Array(x.data.length);
    const gw = new Float64Array(w.data.length);
    const gb = b ? new Float64Array(b.data.length) : null;
    for (let n = 0; n < N!; n++) {
      if (gb) for (let m = 0; m < M!; m++) for (let o = 0; o < Lo!; o++) gb[m] += gy[(n * M! + m) * Lo! + o]!;
      for (let c = 0; c < C!; c++) {
        const grp = Math.floor(c / cg!);
        for (let l = 0; l < L!; l++)
          for (let mm = 0; mm < mg!; mm++)
            for (let k = 0; k < K!; k++) {
              const o = l * s! + k * d! - pb!;
              if (o < 0 || o >= Lo!) continue;
              const gv = gy[(n * M! + grp * mg! + mm) * Lo! + o]!;
              gx[(n * C! + c) * L! + l] += gv * w.data[(c * mg! + mm) * K! + k]!;
              gw[(c * mg! + mm) * K! + k] += gv * x.data[(n * C! + c) * L! + l]!;
            }
      }
    }
    return [{ shape: [...x.shape], data: gx, int: false }, { shape: [...w.shape], data: gw, int: false }, b && gb ? { shape: [...b.shape], data: gb, int: false } : null];
  },
};

/** MaxPool / AveragePool 1-D: windows of each output position (indices into the input row; −1 = padding). */
function poolRule(max: boolean): OpRule {
  return {
    forward(ins, node) {
      const x = need(node, ins, 0);
      oneD(node, x, node.op);
      const [N, C, L] = x.shape as [number, number, number];
      const K = single(node, 'kernel_shape', 0);
      if (K < 1) opError(node, 'needs kernel_shape');
      const s = single(node, 'strides', 1);
      const d = max ? single(node, 'dilations', 1) : 1;
      const [pb, pe] = pads1d(node, L, K, s, d);
      const span = (K - 1) * d + 1;
      const ceil = attrNum(node, 'ceil_mode', 0) === 1;
      let Lo = (ceil ? Math.ceil : Math.floor)((L + pb + pe - span) / s) + 1;
      if (ceil && (Lo - 1) * s >= L + pb) Lo--;
      if (Lo < 1) opError(node, `input length ${L} is too short for kernel ${K}`);
      const includePad = attrNum(node, 'count_include_pad', 0) === 1;
      const out = new Float64Array(N * C * Lo);
      const pick = new Int32Array(N * C * Lo);
      const counts = new Float64Array(Lo);
      for (let o = 0; o < Lo; o++) {
        let cnt = 0;
        for (let k = 0; k < K; k++) {
          const l = o * s + k * d - pb;
          if (l >= 0 && l < L) cnt++;
          else if (includePad && l < L + pe) cnt++;
        }
        counts[o] = cnt;
      }
      for (let r = 0; r < N * C; r++)
        for (let o = 0; o < Lo; o++) {
          let best = -Infinity;
          let bi = -1;
          let sum = 0;
          for (let k = 0; k < K; k++) {
            const l = o * s + k * d - pb;
            if (l < 0 || l >= L) continue;
            const v = x.data[r * L + l]!;
            sum += v;
            if (v > best) {
              best = v;
              bi = r * L + l;
            }
          }
          out[r * Lo + o] = max ? best : sum / counts[o]!;
          pick[r * Lo + o] = bi;
        }
      return { outs: [{ shape: [N, C, Lo], data: out, int: false }], saved: { L, K, s, d, pb, Lo, pick, counts } };
    },
    backward(g, ins, f) {
      const x = ins[0]!;
      const { L, K, s, d, pb, Lo, pick, counts } = f.saved as { L: number; K: number; s: number; d: number; pb: number; Lo: number; pick: Int32Array; counts: Float64Array };
      const gy = g[0]!.data;
      const gx = new Float64Array(x.data.length);
      const rows = x.data.length / L;
      for (let r = 0; r < rows; r++)
        for (let o = 0; o < Lo; o++) {
          const gv = gy[r * Lo + o]!;
          if (max) {
            if (pick[r * Lo + o]! >= 0) gx[pick[r * Lo + o]!] += gv;
          } else
            for (let k = 0; k < K; k++) {
              const l = o * s + k * d - pb;
              if (l >= 0 && l < L) gx[r * L + l] += gv / counts[o]!;
            }
        }
      return [{ shape: [...x.shape], data: gx, int: false }];
    },
  };
}

function globalPool(max: boolean): OpRule {
  return {
    forward(ins, node) {
      const x = need(node, ins, 0);
      if (x.shape.length < 3) opError(node, `needs [N, C, ...], got [${x.shape.join(', ')}]`);
      const [N, C] = x.shape as [number, number];
      const S = numel(x.shape.slice(2));
      const out = new Float64Array(N * C);
      const pick = new Int32Array(N * C);
      for (let r = 0; r < N * C; r++) {
        let best = -Infinity;
        let sum = 0;
        for (let i = 0; i < S; i++) {
          const v = x.data[r * S + i]!;
          sum += v;
          if (v > best) {
            best = v;
            pick[r] = r * S + i;
          }
        }
        out[r] = max ? best : sum / S;
      }
      return { outs: [{ shape: [N, C, ...x.shape.slice(2).map(() => 1)], data: out, int: false }], saved: { S, pick } };
    },
    backward(g, ins, f) {
      const x = ins[0]!;
      const { S, pick } = f.saved as { S: number; pick: Int32Array };
      const gx = new Float64Array(x.data.length);
      const gy = g[0]!.data;
      for (let r = 0; r < gy.length; r++) {
        if (max) gx[pick[r]!] += gy[r]!;
        else for (let i = 0; i < S; i++) gx[r * S + i] = gy[r]! / S;
      }
      return [{ shape: [...x.shape], data: gx, int: false }];
    },
  };
}

export const LINEAR_OPS: Record<string, OpRule> = {
  MatMul: matmul,
  Gemm: gemm,
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: poolRule(true),
  AveragePool: poolRule(false),
  GlobalMaxPool: globalPool(true),
  GlobalAveragePool: globalPool(false),
};
