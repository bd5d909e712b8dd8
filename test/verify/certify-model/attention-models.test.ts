/**
 * Whole attention models: the Keras attention fixtures (dot-product and concat Attention,
 * AdditiveAttention, MultiHeadAttention; test/fixtures/keras-attention) and the ONNX zoo's
 * attention models (attention_matmul: softmax over time, then weightsᵀ·outputs; attention_sum:
 * additive attention with ReduceSum; tagger: a per-step LogSoftmax) need the bound rules of MatMul
 * of two input-dependent values and of Softmax / LogSoftmax. Each is certified with IBP and CROWN
 * at several radii and every certified interval is attacked (random samples and PGD from
 * src/verify/certify/attack.ts through the audit): nothing the attack reaches may lie outside.
 * attention_matmul's bounds are compared with auto_LiRPA's (tools/make_certify_attention_fixtures.py).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { initH5 } from '../../../src/io/keras/h5.js';
import { loadModel } from '../../../src/io/load.js';
import { importOnnx } from '../../../src/io/onnx/import.js';
import type { SequenceModel } from '../../../src/nn/model.js';
import { audit, type AuditReport } from '../../../src/verify/certify/audit.js';
import type { CertifyInput } from '../../../src/verify/certify/certify.js';

interface Case {
  name: string;
  model: () => SequenceModel;
  input: CertifyInput;
}

const KERAS = 'test/fixtures/keras-attention';
const ZOO = 'test/fixtures/onnx-zoo';

interface KerasCase {
  name: string;
  files: string[];
  input: { inputs?: number[][][]; tokens?: number[][]; lengths: number[] };
}
const kerasIndex = (JSON.parse(readFileSync(`${KERAS}/index.json`, 'utf8')) as { cases: KerasCase[] }).cases;

function kerasCase(c: KerasCase): Case {
  const T = c.input.lengths[0]!;
  const input: CertifyInput = c.input.tokens
    ? { kind: 'tokens', ids: c.input.tokens[0]!.slice(0, T) }
    : { kind: 'numeric', data: c.input.inputs![0]!.slice(0, T).flat(), steps: T };
  return { name: c.name, model: () => loadModel(`${KERAS}/${c.files[0]}`, { backend: 'ts64' }).model, input };
}

function zooCase(name: string): Case {
  const rec = JSON.parse(readFileSync(`${ZOO}/${name}.json`, 'utf8'));
  const [, T] = rec.input.shape as number[];
  const F = rec.input.shape.length > 2 ? (rec.input.shape[2] as number) : 0;
  const input: CertifyInput = F ? { kind: 'numeric', data: rec.input.data.slice(0, T! * F), steps: T! } : { kind: 'tokens', ids: rec.input.data.slice(0, T!) };
  return { name, model: () => importOnnx(readFileSync(`${ZOO}/${name}.onnx`)).model, input };
}

const CASES: Case[] = [...kerasIndex.map(kerasCase), zooCase('attention_matmul'), zooCase('attention_sum'), zooCase('tagger')];
const EPS = [0.001, 0.01, 0.05];

function violations(r: AuditReport): string {
  return r.violations.map((v) => `${v.quantity} ${v.side}: bound ${v.bound}, observed ${v.observed}`).join('; ');
}

describe('certified bounds of attention models', () => {
  before(async () => {
    await initH5();
  });
  for (const c of CASES) {
    for (const eps of EPS) {
      it(`${c.name} ε=${eps}: IBP and CROWN bounds hold against sampling and PGD`, (t) => {
        const model = c.model();
        const p = { kind: 'ball' as const, norm: 'linf' as const, eps };
        const opts = { samples: 80, pgd: { steps: 30, restarts: 2 }, seed: Math.round(eps * 1000) };
        const ibp = audit(model, c.input, p, { ...opts, method: 'ibp' });
        const crown = audit(model, c.input, p, { ...opts, method: 'crown' });
        for (const r of [ibp, crown]) {
          assert.ok(r.ok, `${r.method}: values outside the bounds: ${violations(r)}`);
          for (let k = 0; k < r.lower.length; k++) {
            assert.ok(Number.isFinite(r.lower[k]!) && Number.isFinite(r.upper[k]!), `${r.method} output ${k}: bound not finite`);
            assert.ok(r.lower[k]! <= r.observedMin[k]! && r.observedMax[k]! <= r.upper[k]!, `${r.method} output ${k}: attacked range outside the bounds`);
          }
        }
        let ratio = 0;
        for (let k = 0; k < crown.lower.length; k++) {
          assert.ok(crown.lower[k]! >= ibp.lower[k]! && crown.upper[k]! <= ibp.upper[k]!, `output ${k}: CROWN looser than IBP`);
          ratio = Math.max(ratio, (crown.upper[k]! - crown.lower[k]!) / (crown.observedMax[k]! - crown.observedMin[k]! + 1e-12));
        }
        t.diagnostic(`CROWN width / attacked width ≤ ${ratio.toFixed(3)}`);
        if (eps === 0.001) assert.ok(ratio < 1.1, `CROWN bounds ${ratio}× the attacked range at ε = 0.001`);
      });
    }
  }

  it('attention_matmul: widths close to auto_LiRPA on the same model', (t) => {
    const rec = JSON.parse(readFileSync('test/fixtures/certify/attention_lirpa.json', 'utf8')) as {
      input: number[][];
      output: number[];
      lirpa: Record<string, Record<'ibp' | 'crown', { lower: number[]; upper: number[] }>>;
    };
    const model = zooCase('attention_matmul').model();
    const input: CertifyInput = { kind: 'numeric', data: rec.input.flat(), steps: rec.input.length };
    for (const [eps, ref] of Object.entries(rec.lirpa)) {
      const p = { kind: 'ball' as const, norm: 'linf' as const, eps: Number(eps) };
      const opts = { samples: 40, pgd: { steps: 20, restarts: 1 } };
      const ibp = audit(model, input, p, { ...opts, method: 'ibp' });
      const crown = audit(model, input, p, { ...opts, method: 'crown' });
      let wc = 0;
      let wi = 0;
      for (let k = 0; k < rec.output.length; k++) {
        wc = Math.max(wc, (crown.upper[k]! - crown.lower[k]!) / (ref.crown.upper[k]! - ref.crown.lower[k]!));
        wi = Math.max(wi, (ibp.upper[k]! - ibp.lower[k]!) / (ref.ibp.upper[k]! - ref.ibp.lower[k]!));
        assert.ok(crown.lower[k]! <= rec.output[k]! + 1e-9 && rec.output[k]! - 1e-9 <= crown.upper[k]!, `ε=${eps} output ${k}: PyTorch's output outside the CROWN bounds`);
      }
      t.diagnostic(`ε=${eps}: width / auto_LiRPA width: CROWN ≤ ${wc.toFixed(3)}, IBP ≤ ${wi.toFixed(3)}`);
      assert.ok(wc < CROWN_FACTOR && wi < IBP_FACTOR, `ε=${eps}: bounds far looser than auto_LiRPA's: CROWN ×${wc}, IBP ×${wi}`);
    }
  });
});

/** How much wider than auto_LiRPA's our bounds may be (the relaxations differ in their lines). */
const CROWN_FACTOR = 1.25;
const IBP_FACTOR = 1.1;
