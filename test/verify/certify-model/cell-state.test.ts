/**
 * Certification through a graph layer that reads an LSTM's final cell states (ONNX Y_c): the
 * zoo's lstm_cell_state (a head on h_n and c_n) and a BiLSTM whose head reads the mean output
 * and both directions' c_n (tools/make_lrp_cell_fixtures.py). Each is certified with IBP and
 * CROWN at several radii and attacked inside the ball (sampling and PGD through the audit); the
 * bounds at the smallest radius must also contain PyTorch's output for the unperturbed input, so a
 * wrong wiring of the cell nodes (direction order, unit order) cannot pass.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { importOnnx } from '../../../src/io/onnx/import.js';
import { audit, type AuditReport } from '../../../src/verify/certify/audit.js';
import type { CertifyInput } from '../../../src/verify/certify/certify.js';

interface CellCase {
  name: string;
  model: string;
  input: { shape: number[]; data: number[] };
  output: number[];
}

const cases = (JSON.parse(readFileSync('test/fixtures/explain/lrp-cell.json', 'utf8')) as { cases: CellCase[] }).cases;

function violations(r: AuditReport): string {
  return r.violations.map((v) => `${v.quantity} ${v.side}: bound ${v.bound}, observed ${v.observed}`).join('; ');
}

describe('certified bounds through an LSTM final cell state (Y_c)', () => {
  for (const c of cases) {
    const [B, T, F] = c.input.shape as [number, number, number];
    const K = c.output.length / B;
    for (const eps of [0.001, 0.01, 0.05]) {
      it(`${c.name} ε=${eps}: IBP and CROWN bounds hold against sampling and PGD`, (t) => {
        const model = importOnnx(readFileSync(`test/fixtures/${c.model}`)).model;
        for (let b = 0; b < B; b++) {
          const input: CertifyInput = { kind: 'numeric', data: c.input.data.slice(b * T * F, (b + 1) * T * F), steps: T };
          const p = { kind: 'ball' as const, norm: 'linf' as const, eps };
          const opts = { samples: 60, pgd: { steps: 25, restarts: 2 }, seed: b + 1 };
          const ibp = audit(model, input, p, { ...opts, method: 'ibp' });
          const crown = audit(model, input, p, { ...opts, method: 'crown' });
          let ratio = 0;
          for (const r of [ibp, crown]) {
            assert.ok(r.ok, `${r.method}: values outside the bounds: ${violations(r)}`);
            assert.equal(r.lower.length, K);
            for (let k = 0; k < K; k++) {
              assert.ok(r.lower[k]! <= r.observedMin[k]! && r.observedMax[k]! <= r.upper[k]!, `${r.method} output ${k}: attacked range outside the bounds`);
              const want = c.output[b * K + k]!;
              assert.ok(r.lower[k]! <= want + 1e-6 && want - 1e-6 <= r.upper[k]!, `${r.method} sequence ${b} output ${k}: PyTorch's ${want} outside [${r.lower[k]}, ${r.upper[k]}]`);
            }
          }
          for (let k = 0; k < K; k++) {
            assert.ok(crown.lower[k]! >= ibp.lower[k]! - 1e-12 && crown.upper[k]! <= ibp.upper[k]! + 1e-12, `output ${k}: CROWN looser than IBP`);
            ratio = Math.max(ratio, (crown.upper[k]! - crown.lower[k]!) / (crown.observedMax[k]! - crown.observedMin[k]! + 1e-12));
          }
          t.diagnostic(`sequence ${b}: CROWN width / attacked width ≤ ${ratio.toFixed(3)}`);
          if (eps === 0.001) assert.ok(ratio < 1.1, `sequence ${b}: CROWN bounds ${ratio}× the attacked range at ε = 0.001`);
        }
      });
    }
  }
});
