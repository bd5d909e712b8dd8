/**
 * Whole imported models whose graph heads need the smooth bound rules: GRU → LayerNorm → GELU →
 * Linear (the ONNX zoo's layernorm_gelu, fused LayerNormalization at opset 17 and its ReduceMean /
 * Sub / Pow / Sqrt / Div decomposition at opset 14), LSTM → SiLU head (Mul(x, Sigmoid(x))) and
 * LSTM → Softplus → ELU → HardSwish head (tools/make_certify_smooth_fixtures.py). Each is certified
 * with IBP and CROWN at several radii and every certified interval is attacked (random samples and
 * PGD from src/verify/certify/attack.ts through the audit); the bounds must contain PyTorch's own
 * output at the centre and everything the attack reaches. The SiLU model's bounds are compared
 * with auto_LiRPA's, recorded in its fixture.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { importOnnx } from '../../../src/io/onnx/import.js';
import type { SequenceModel } from '../../../src/nn/model.js';
import { audit } from '../../../src/verify/certify/audit.js';
import type { CertifyInput } from '../../../src/verify/certify/certify.js';
import { evaluateFlat, float64Model } from '../../../src/verify/certify/certify.js';

interface Case {
  name: string;
  model: SequenceModel;
  input: CertifyInput;
  reference: number[];
  tol: number;
  lirpa?: Record<string, Record<string, { lower: number[]; upper: number[] } | { error: string }>>;
}

function zooCase(name: string): Case {
  const rec = JSON.parse(readFileSync(`test/fixtures/onnx-zoo/${name}.json`, 'utf8'));
  const [, T, F] = rec.input.shape as number[];
  const C = rec.output.shape[1] as number;
  return {
    name,
    model: importOnnx(readFileSync(`test/fixtures/onnx-zoo/${name}.onnx`)).model,
    input: { kind: 'numeric', data: rec.input.data.slice(0, T! * F!), steps: T! },
    reference: rec.output.data.slice(0, C),
    tol: 1e-5,
  };
}

function certifyCase(name: string): Case {
  const rec = JSON.parse(readFileSync(`test/fixtures/certify/${name}.json`, 'utf8'));
  const x = rec.input[0] as number[][];
  return {
    name,
    model: importOnnx(readFileSync(`test/fixtures/certify/${name}.onnx`)).model,
    input: { kind: 'numeric', data: x.flat(), steps: x.length },
    reference: rec.output,
    tol: 1e-9,
    lirpa: rec.lirpa?.error ? undefined : rec.lirpa,
  };
}

const CASES = [zooCase('layernorm_gelu_op17'), zooCase('layernorm_gelu_op14'), certifyCase('swish_lstm'), certifyCase('smooth_head')];
const EPS = [0.01, 0.05, 0.2];

describe('certified bounds of models with LayerNorm, GELU, SiLU, Softplus, ELU and HardSwish heads', () => {
  for (const c of CASES) {
    it(`${c.name}: the imported model matches PyTorch`, () => {
      const m = float64Model(c.model);
      const x = Float64Array.from(c.input.kind === 'numeric' ? c.input.data : []);
      const steps = c.input.kind === 'numeric' ? c.input.steps : 0;
      const y = evaluateFlat(m, x, 1, steps, x.length / steps);
      c.reference.forEach((r, k) => assert.ok(Math.abs(y[k]! - r) <= c.tol, `output ${k}: ${y[k]} vs PyTorch ${r}`));
    });

    for (const eps of EPS) {
      it(`${c.name} ε=${eps}: IBP and CROWN bounds hold against sampling and PGD`, (t) => {
        const p = { kind: 'ball' as const, norm: 'linf' as const, eps };
        const opts = { samples: 150, pgd: { steps: 40, restarts: 3 }, seed: Math.round(eps * 1000) };
        const ibp = audit(c.model, c.input, p, { ...opts, method: 'ibp' });
        const crown = audit(c.model, c.input, p, { ...opts, method: 'crown' });
        for (const r of [ibp, crown]) {
          const msg = r.violations.map((v) => `${v.quantity} ${v.side}: bound ${v.bound}, observed ${v.observed}`).join('; ');
          assert.ok(r.ok, `${r.method}: values outside the bounds: ${msg}`);
          c.reference.forEach((y, k) => {
            assert.ok(Number.isFinite(r.lower[k]!) && Number.isFinite(r.upper[k]!), `${r.method} output ${k}: bound not finite`);
            assert.ok(r.lower[k]! <= y + c.tol && y - c.tol <= r.upper[k]!, `${r.method} output ${k}: PyTorch's ${y} outside [${r.lower[k]}, ${r.upper[k]}]`);
          });
        }
        // CROWN is never looser than IBP, and the attack gets close to its bounds at small radii
        let ratio = 0;
        for (let k = 0; k < c.reference.length; k++) {
          assert.ok(crown.lower[k]! >= ibp.lower[k]! && crown.upper[k]! <= ibp.upper[k]!, `output ${k}: CROWN looser than IBP`);
          ratio = Math.max(ratio, (crown.upper[k]! - crown.lower[k]!) / (crown.observedMax[k]! - crown.observedMin[k]! + 1e-12));
        }
        t.diagnostic(`CROWN width / attacked width ≤ ${ratio.toFixed(3)}`);
        if (eps === 0.01) assert.ok(ratio < 3, `CROWN bounds ${ratio}× the attacked range at ε = 0.01`);
        const ref = c.lirpa?.[String(eps)];
        if (ref && 'lower' in ref.crown! && 'lower' in ref.ibp!) {
          const [lc, li] = [ref.crown, ref.ibp] as { lower: number[]; upper: number[] }[];
          let wc = 0;
          let wi = 0;
          for (let k = 0; k < c.reference.length; k++) {
            wc = Math.max(wc, (crown.upper[k]! - crown.lower[k]!) / (lc!.upper[k]! - lc!.lower[k]!));
            wi = Math.max(wi, (ibp.upper[k]! - ibp.lower[k]!) / (li!.upper[k]! - li!.lower[k]!));
          }
          t.diagnostic(`width / auto_LiRPA width: CROWN ≤ ${wc.toFixed(3)}, IBP ≤ ${wi.toFixed(3)}`);
          // similar tightness (not equality): the relaxations differ in their choice of lines
          assert.ok(wc < 2 && wi < 1.5, `bounds far looser than auto_LiRPA's: CROWN ×${wc}, IBP ×${wi}`);
        }
      });
    }
  }
});
