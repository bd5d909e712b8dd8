/**
 * Normalisation graph ops: BatchNormalization at inference (running statistics over channel
 * axis 1) and LayerNormalization (opset 17: over the axes from `axis` to the end).
 */
import { broadcastIndex, numel, normAxis, type Nd } from './nd.js';
import { attrNum, need, opError, type OpRule } from './rule.js';

/** BatchNormalization at inference: y = scale·(x − mean)/√(var + ε) + B over channel axis 1. */
const batchNorm: OpRule = {
  forward(ins, node) {
    const x = need(node, ins, 0);
    const [sc, bi, mu, va] = [1, 2, 3, 4].map((i) => need(node, ins, i)) as [Nd, Nd, Nd, Nd];
    if (attrNum(node, 'training_mode', 0) === 1) opError(node, 'training_mode=1 (batch statistics) is not supported; export the model in eval mode');
    const eps = attrNum(node, 'epsilon', 1e-5);
    const C = x.shape[1] ?? 1;
    const S = x.shape.length > 2 ? numel(x.shape.slice(2)) : 1;
    const mul = new Float64Array(C);
    const add = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      mul[c] = sc.data[c]! / Math.sqrt(va.data[c]! + eps);
      add[c] = bi.data[c]! - mu.data[c]! * mul[c]!;
    }
    const out = new Float64Array(x.data.length);
    for (let i = 0; i < out.length; i++) {
      const c = Math.floor(i / S) % C;
      out[i] = x.data[i]! * mul[c]! + add[c]!;
    }
    return { outs: [{ shape: [...x.shape], data: out, int: false }], saved: { mul, C, S, eps } };
  },
  backward(g, ins, f) {
    const x = ins[0]!;
    const { mul, C, S, eps } = f.saved as { mul: Float64Array; C: number; S: number; eps: number };
    const [sc, , mu, va] = [1, 2, 3, 4].map((i) => ins[i]!) as [Nd, Nd, Nd, Nd];
    const gy = g[0]!.data;
    const gx = new Float64Array(x.data.length);
    const gs = new Float64Array(C);
    const gb = new Float64Array(C);
    const gm = new Float64Array(C);
    const gv = new Float64Array(C);
    for (let i = 0; i < gx.length; i++) {
      const c = Math.floor(i / S) % C;
      gx[i] = gy[i]! * mul[c]!;
      const inv = 1 / Math.sqrt(va.data[c]! + eps);
      gs[c] += gy[i]! * (x.data[i]! - mu.data[c]!) * inv;
      gb[c] += gy[i]!;
      gm[c] -= gy[i]! * mul[c]!;
      gv[c] += gy[i]! * sc.data[c]! * (x.data[i]! - mu.data[c]!) * -0.5 * inv * inv * inv;
    }
    const w = (d: Float64Array, like: Nd): Nd => ({ shape: [...like.shape], data: d, int: false });
    return [w(gx, x), w(gs, ins[1]!), w(gb, ins[2]!), w(gm, ins[3]!), w(gv, ins[4]!)];
  },
};

/** LayerNormalization: normalises over the axes from `axis` to the end, then scale and bias. */
const layerNorm: OpRule = {
  forward(ins, node) {
    const x = need(node, ins, 0);
    const sc = need(node, ins, 1);
    const b = ins[2] ?? null;
    const axis = normAxis(attrNum(node, 'axis', -1), x.shape.length, `graph op '${node.name}' (LayerNormalization)`);
    const eps = attrNum(node, 'epsilon', 1e-5);
    const n = numel(x.shape.slice(axis));
    const rows = x.data.length / n;
    const ms = broadcastIndex(sc.shape, x.shape.slice(axis));
    const mb = b ? broadcastIndex(b.shape, x.shape.slice(axis)) : null;
    const xhat = new Float64Array(x.data.length);
    const inv = new Float64Array(rows);
    const out = new Float64Array(x.data.length);
    for (let r = 0; r < rows; r++) {
      let m = 0;
      for (let j = 0; j < n; j++) m += x.data[r * n + j]!;
      m /= n;
      let v = 0;
      for (let j = 0; j < n; j++) v += (x.data[r * n + j]! - m) ** 2;
      v /= n;
      inv[r] = 1 / Math.sqrt(v + eps);
      for (let j = 0; j < n; j++) {
        const h = (x.data[r * n + j]! - m) * inv[r]!;
        xhat[r * n + j] = h;
        out[r * n + j] = h * sc.data[ms[j]!]! + (b ? b.data[mb![j]!]! : 0);
      }
    }
    const outs: Nd[] = [{ shape: [...x.shape], data: out, int: false }];
    return { outs, saved: { n, rows, xhat, inv, ms, mb } };
  },
  backward(g, ins, f) {
    const x = ins[0]!;
    const sc = ins[1]!;
    const b = ins[2] ?? null;
    const { n, rows, xhat, inv, ms, mb } = f.saved as { n: number; rows: number; xhat: Float64Array; inv: Float64Array; ms: Int32Array; mb: Int32Array | null };
    const gy = g[0]!.data;
    const gx = new Float64Array(x.data.length);
    const gs = new Float64Array(sc.data.length);
    const gb = b ? new Float64Array(b.data.length) : null;
    for (let r = 0; r < rows; r++) {
      let s1 = 0;
      let s2 = 0;
      for (let j = 0; j < n; j++) {
        const i = r * n + j;
        const gh = gy[i]! * sc.data[ms[j]!]!;
        s1 += gh;
        s2 += gh * xhat[i]!;
        gs[ms[j]!] += gy[i]! * xhat[i]!;
        if (gb) gb[mb![j]!] += gy[i]!;
      }
      for (let j = 0; j < n; j++) {
        const i = r * n + j;
        const gh = gy[i]! * sc.data[ms[j]!]!;
        gx[i] = inv[r]! * (gh - s1 / n - (xhat[i]! * s2) / n);
      }
    }
    return [{ shape: [...x.shape], data: gx, int: false }, { shape: [...sc.shape], data: gs, int: false }, b && gb ? { shape: [...b.shape], data: gb, int: false } : null];
  },
};

export const NORM_OPS: Record<string, OpRule> = {
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
};
