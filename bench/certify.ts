/**
 * Tightness and speed of certified bounds (a benchmark, not a test).
 *
 * Part 1 (POPQORN's setting): a one-layer LSTM, 6 inputs, 16 units, 9 steps, weights twice
 * PyTorch's default scale, L∞ ε = 0.01, a few random N(0, 1) inputs. For every hidden unit of the
 * final state: (bound width) / (range PGD reaches, maximising and minimising the unit), averaged
 * over units and inputs, for IBP, CROWN and α; time per input.
 * Part 2: small classifiers trained by recipes (motif: tokens + embedding, sensor: numeric), LSTM
 * and GRU: mean certified radius (bisection) and certified accuracy at a fixed ε, per method.
 *
 *   npx tsx bench/certify.ts [--part 1|2] [--inputs N] [--examples N]
 */
import { Rng } from '../src/core/rng.js';
import { SequenceModel } from '../src/nn/model.js';
import { runRecipe } from '../src/train/run-recipe.js';
import { pgdMaximize } from '../src/verify/certify/attack.js';
import { boundOutputs, regionFor, type CertifyInput } from '../src/verify/certify/certify.js';
import type { Method } from '../src/verify/certify/propagate.js';
import { certifiedAccuracy, certifiedRadius } from '../src/verify/certify/radius.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const part = arg('--part', 'all');
const nInputs = Number(arg('--inputs', '4'));
const nExamples = Number(arg('--examples', '20'));
const METHODS: Method[] = ['ibp', 'crown', 'alpha'];

function popqornSetting(): void {
  const model = new SequenceModel(
    {
      input: { kind: 'numeric', features: 6 },
      layers: [{ kind: 'lstm', units: 16 }],
      init: 'torch',
    },
    { backend: 'ts64', seed: 2019 },
  );
  for (const p of model.parameters())
    for (let i = 0; i < p.value.length; i++) p.value[i] = 2 * p.value[i]!;
  const rng = new Rng(1);
  const rows: Record<Method, { ratio: number[]; sec: number[]; cpu: number[] }> = {
    ibp: { ratio: [], sec: [], cpu: [] },
    crown: { ratio: [], sec: [], cpu: [] },
    alpha: { ratio: [], sec: [], cpu: [] },
  };
  for (let n = 0; n < nInputs; n++) {
    const input: CertifyInput = {
      kind: 'numeric',
      data: Float64Array.from({ length: 54 }, () => rng.normal()),
      steps: 9,
    };
    const p = { kind: 'ball' as const, norm: 'linf' as const, eps: 0.01 };
    const region = regionFor(model, input, p);
    // the range PGD reaches per unit (maximise and minimise)
    const reach = Array.from({ length: 16 }, (_, k) => {
      const c = new Float64Array(16);
      c[k] = 1;
      const hi = pgdMaximize(model, region, c, { steps: 60, restarts: 4, seed: k }).value;
      c[k] = -1;
      const lo = -pgdMaximize(model, region, c, { steps: 60, restarts: 4, seed: 100 + k }).value;
      return hi - lo;
    });
    for (const m of METHODS) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const b = boundOutputs(model, region, { method: m });
      rows[m].sec.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      rows[m].cpu.push((c.user + c.system) / 1e6);
      const r = reach.map((w, k) => (b.upper[k]! - b.lower[k]!) / w);
      rows[m].ratio.push(r.reduce((s, v) => s + v, 0) / r.length);
    }
  }
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  console.log(`\nLSTM 6→16, 9 steps, weights 2× PyTorch default, L∞ ε = 0.01, ${nInputs} inputs`);
  console.log('| method | bound width / PGD range | wall s / input | CPU s / input |');
  console.log('| ------ | ----------------------- | -------------- | ------------- |');
  for (const m of METHODS)
    console.log(
      `| ${m} | ${mean(rows[m].ratio).toFixed(2)}× | ${mean(rows[m].sec).toFixed(3)} | ${mean(rows[m].cpu).toFixed(3)} |`,
    );
}

async function recipes(): Promise<void> {
  const settings: { recipe: string; cell: 'lstm' | 'gru'; hidden: number; eps: number }[] = [
    { recipe: 'motif', cell: 'lstm', hidden: 8, eps: 0.01 },
    { recipe: 'motif', cell: 'gru', hidden: 8, eps: 0.01 },
    { recipe: 'sensor', cell: 'lstm', hidden: 8, eps: 0.02 },
    { recipe: 'sensor', cell: 'gru', hidden: 8, eps: 0.02 },
  ];
  console.log(
    `\nTrained recipe models (${nExamples} test examples each), L∞ (token models: in embedding space)`,
  );
  console.log(
    '| model | test acc | method | certified acc @ε [95 % CI] | mean certified radius | CPU s / certificate |',
  );
  console.log(
    '| ----- | -------- | ------ | -------------------------- | --------------------- | ------------------- |',
  );
  for (const s of settings) {
    const r = await runRecipe(
      s.recipe,
      { cell: s.cell, hidden: s.hidden, epochs: 3 },
      { out: `/tmp/rnnlens-bench-certify/${s.recipe}-${s.cell}` },
    );
    const model = r.model.to('ts64');
    const items = r.data.test.items.slice(0, nExamples);
    const inputs: CertifyInput[] = items.map((it) =>
      model.inputSpec.kind === 'tokens'
        ? { kind: 'tokens', ids: Array.from(it.x as Int32Array).slice(0, it.steps) }
        : {
            kind: 'numeric',
            data: Float64Array.from(
              (it.x as Float32Array).subarray(0, it.steps * model.inputSpec.features),
            ),
            steps: it.steps,
          },
    );
    const labels = items.map((it) => it.label ?? -1);
    for (const m of ['ibp', 'crown'] as Method[]) {
      const c0 = process.cpuUsage();
      const acc = certifiedAccuracy(
        model,
        inputs,
        labels,
        { kind: 'ball', norm: 'linf', eps: s.eps },
        { method: m },
      );
      const c1 = process.cpuUsage(c0);
      const certSec = (c1.user + c1.system) / 1e6 / inputs.length;
      const radii = inputs.map(
        (x) =>
          certifiedRadius(
            model,
            x,
            { kind: 'ball', norm: 'linf' },
            { method: m, start: 0.005, tolerance: 1e-3, max: 10 },
          ).radius,
      );
      const meanR = radii.reduce((a, b) => a + b, 0) / radii.length;
      const testAcc = (r.metrics.test as Record<string, number>).accuracy ?? NaN;
      console.log(
        `| ${s.recipe} ${s.cell} ${s.hidden} | ${testAcc.toFixed(3)} | ${m} | ${acc.accuracy.toFixed(3)} @${s.eps} [${acc.interval.lower.toFixed(2)}, ${acc.interval.upper.toFixed(2)}] | ${meanR.toFixed(4)} | ${certSec.toFixed(3)} |`,
      );
    }
  }
}

if (part === 'all' || part === '1') popqornSetting();
if (part === 'all' || part === '2') await recipes();
