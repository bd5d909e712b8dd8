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
 * Part 2 also covers spam (small config) and, when ../shared/data/fsdd/recordings exists, fsdd
 * (MFCC frames, L∞ on all frames); models are trained once into /tmp/rnnlens-bench-certify.
 *
 *   npx tsx bench/certify.ts [--part 1|2] [--inputs N] [--examples N] [--recipes a,b]
 *     [--methods ibp,crown,alpha] [--cells lstm,gru] [--train-only] [--retrain]
 */
import { Rng } from '../src/core/rng.js';
import { SequenceModel } from '../src/nn/model.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadModel } from '../src/train/checkpoint.js';
import { defaultFsddPath, getRecipe, type RecipeData } from '../src/train/recipes.js';
import { runRecipe, type RecipeOverrides } from '../src/train/run-recipe.js';
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
      `| ${m} | ${mean(rows[m].ratio).toFixed(3)}× | ${mean(rows[m].sec).toFixed(3)} | ${mean(rows[m].cpu).toFixed(3)} |`,
    );
}

interface Setting {
  recipe: string;
  cell: 'lstm' | 'gru';
  overrides: RecipeOverrides;
  eps: number;
  /** certify only test sequences of at most this many steps (CROWN is O(T²)) */
  maxSteps: number;
  examples: number;
}

const SETTINGS: Setting[] = (['lstm', 'gru'] as const).flatMap((cell): Setting[] => [
  {
    recipe: 'sensor',
    cell,
    overrides: { cell, hidden: 8, epochs: 3 },
    eps: 0.02,
    maxSteps: 20,
    examples: nExamples,
  },
  {
    recipe: 'spam',
    cell,
    overrides: { cell, config: { model: { hidden: 16, embedding: 16 }, train: { epochs: 2 } } },
    eps: 0.01,
    maxSteps: 18,
    examples: Math.min(nExamples, 6),
  },
  {
    recipe: 'motif',
    cell,
    overrides: { cell, hidden: 8, epochs: 3 },
    eps: 0.01,
    maxSteps: 30,
    examples: nExamples,
  },
  ...(defaultFsddPath()
    ? [
        {
          recipe: 'fsdd',
          cell,
          overrides: {
            cell,
            config: {
              model: { hidden: 16, bidirectional: false, dropout: 0 },
              train: { epochs: 6 },
            },
          },
          eps: 0.01,
          maxSteps: 40,
          examples: Math.min(nExamples, 4),
        },
      ]
    : []),
]);

/** A recipe model: trained once into /tmp/rnnlens-bench-certify (reused unless --retrain). */
async function trained(
  s: Setting,
): Promise<{ model: SequenceModel; data: RecipeData; acc: number }> {
  const out = `/tmp/rnnlens-bench-certify/${s.recipe}-${s.cell}`;
  const metricsFile = `${out}/bench-metrics.json`;
  if (!args.includes('--retrain') && existsSync(metricsFile)) {
    const data = getRecipe(s.recipe).load({ seed: 0 });
    const { model } = loadModel(out);
    return { model, data, acc: JSON.parse(readFileSync(metricsFile, 'utf8')).accuracy };
  }
  const r = await runRecipe(s.recipe, s.overrides, { out, force: true });
  const acc = (r.metrics.test as Record<string, number>).accuracy ?? NaN;
  writeFileSync(metricsFile, JSON.stringify({ accuracy: acc }));
  return { model: r.model, data: r.data, acc };
}

async function recipes(): Promise<void> {
  const only = arg('--recipes', '').split(',').filter(Boolean);
  const methods = arg('--methods', 'ibp,crown,alpha').split(',') as Method[];
  const cells = arg('--cells', 'lstm,gru').split(',');
  const settings = SETTINGS.filter(
    (s) => (only.length === 0 || only.includes(s.recipe)) && cells.includes(s.cell),
  );
  if (args.includes('--train-only')) {
    for (const s of settings) await trained(s);
    return;
  }
  console.log(
    `\nTrained recipe models (test sequences of at most maxSteps steps), L∞ (token models: per-token balls in embedding space)`,
  );
  console.log(
    '| model (recipe, cell, units, T ≤) | test acc | method | certified acc @ε [95 % CP] | mean certified radius | CPU s / certificate |',
  );
  console.log(
    '| -------------------------------- | -------- | ------ | -------------------------- | --------------------- | ------------------- |',
  );
  for (const s of settings) {
    const { model: trainedModel, data, acc: testAcc } = await trained(s);
    const model = trainedModel.to('ts64');
    // the shortest test sequences (CROWN is O(T²)): those within maxSteps, else the shortest ones
    const byLength = data.test.items
      .map((it, i) => ({ it, i }))
      .sort((a, b) => a.it.steps - b.it.steps || a.i - b.i)
      .map((e) => e.it);
    const short = data.test.items.filter((it) => it.steps <= s.maxSteps);
    const items = (short.length >= s.examples ? short : byLength).slice(0, s.examples);
    const tokens = model.inputSpec.kind === 'tokens';
    const inputs: CertifyInput[] = items.map((it) =>
      tokens
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
    const shape = {
      kind: 'ball' as const,
      norm: 'linf' as const,
      ...(tokens ? { perStep: true } : {}),
    };
    const hidden = s.overrides.hidden ?? s.overrides.config?.model?.hidden;
    const maxT = Math.max(...items.map((it) => it.steps));
    for (const m of methods) {
      const c0 = process.cpuUsage();
      const acc = certifiedAccuracy(model, inputs, labels, { ...shape, eps: s.eps }, { method: m });
      const c1 = process.cpuUsage(c0);
      const certSec = (c1.user + c1.system) / 1e6 / inputs.length;
      const radii = inputs.map(
        (x) =>
          certifiedRadius(model, x, shape, { method: m, start: 0.005, tolerance: 1e-3, max: 10 })
            .radius,
      );
      const meanR = radii.reduce((a, b) => a + b, 0) / radii.length;
      console.log(
        `| ${s.recipe}, ${s.cell.toUpperCase()}, ${hidden} (T ≤ ${maxT}, n = ${inputs.length}) | ${testAcc.toFixed(3)} | ${m} | ${acc.accuracy.toFixed(2)} @${s.eps} [${acc.interval.lower.toFixed(2)}, ${acc.interval.upper.toFixed(2)}] | ${meanR.toFixed(4)} | ${certSec.toFixed(3)} |`,
      );
    }
  }
}

if (part === 'all' || part === '1') popqornSetting();
if (part === 'all' || part === '2') await recipes();
