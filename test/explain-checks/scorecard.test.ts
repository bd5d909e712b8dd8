import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attribute, registerMethod } from '../../src/explain/attribute.js';
import type { AttributionMethod } from '../../src/explain/types.js';
import { completeness } from '../../src/verify/explanations/completeness.js';
import { deletionFlag, scorecard } from '../../src/verify/explanations/scorecard.js';
import { ensureMethods } from '../../src/verify/explanations/benchmark.js';
import { firstN, numericInput, trainedTask } from './helpers.js';

/** The deliberately broken method: its "attribution" is the input itself. */
const echo: AttributionMethod = {
  name: 'test-echo-input',
  family: 'perturbation',
  inputKinds: ['numeric'],
  run: (ctx) => ({ attributions: Float64Array.from(ctx.input.data) }),
};

describe('completeness', () => {
  it('integrated gradients: the gap shrinks with more steps and is recomputed independently', async () => {
    const task = await trainedTask();
    const x = firstN(numericInput(task), 6);
    const target = task.labels.slice(0, 6);
    const coarse = completeness(
      task.model,
      x,
      attribute(task.model, x, {
        method: 'integrated-gradients',
        target,
        steps: 2,
        rule: 'riemann-left',
      }),
    );
    const fine = completeness(
      task.model,
      x,
      attribute(task.model, x, { method: 'integrated-gradients', target, steps: 200 }),
    );
    assert.equal(fine.source, 'recomputed');
    assert.equal(fine.agreesWithMethod, true);
    assert.equal(fine.verdict, 'pass', `gap ${fine.relativeGap}`);
    assert.ok(
      coarse.relativeGap > 10 * fine.relativeGap,
      `${coarse.relativeGap} vs ${fine.relativeGap}`,
    );
    const sal = completeness(
      task.model,
      x,
      attribute(task.model, x, { method: 'saliency', target }),
    );
    assert.equal(sal.verdict, 'n/a');
  });
  it('DeepLIFT and LRP report their gaps', async () => {
    ensureMethods();
    const task = await trainedTask();
    const x = firstN(numericInput(task), 4);
    const target = task.labels.slice(0, 4);
    const dl = completeness(
      task.model,
      x,
      attribute(task.model, x, { method: 'deeplift', target }),
    );
    assert.ok(dl.source === 'recomputed' || dl.source === 'method delta');
    assert.equal(dl.verdict, 'pass', `deeplift gap ${dl.relativeGap}`);
    const lrp = completeness(task.model, x, attribute(task.model, x, { method: 'lrp', target }));
    assert.notEqual(lrp.verdict, 'n/a');
    assert.ok(Number.isFinite(lrp.relativeGap));
  });
});

describe('scorecard', () => {
  it('flags every check with its threshold; integrated gradients passes', async () => {
    const task = await trainedTask();
    const x = firstN(numericInput(task), 10);
    const options = {
      method: 'integrated-gradients',
      target: task.labels.slice(0, 10),
      steps: 100,
    };
    const card = scorecard(task.model, x, options, attribute(task.model, x, options));
    assert.deepEqual(
      card.entries.map((e) => e.check),
      ['completeness', 'deletion', 'sanity'],
    );
    for (const e of card.entries) {
      assert.ok(['pass', 'warn', 'fail'].includes(e.flag), `${e.check}: ${e.flag}`);
      assert.match(e.threshold, /pass/);
    }
    assert.equal(card.entries[0]!.flag, 'pass');
    assert.equal(card.entries[1]!.flag, 'pass', JSON.stringify(card.entries[1]));
    assert.equal(card.entries[2]!.flag, 'pass', JSON.stringify(card.entries[2]));
    assert.equal(card.overall, 'pass');
    // each explained sequence gets its own completeness gap and deletion AUC
    assert.equal(card.entries[0]!.perSequence!.length, 10);
    assert.equal(card.entries[1]!.perSequence!.length, 10);
    assert.ok(card.entries[0]!.perSequence!.every((g) => g <= 0.05));
  });
  it('the input-echo method fails its sanity check and so the card', async () => {
    registerMethod(echo);
    const task = await trainedTask();
    const x = firstN(numericInput(task), 6);
    const options = { method: echo.name, target: task.labels.slice(0, 6) };
    const card = scorecard(task.model, x, options, attribute(task.model, x, options));
    const sanity = card.entries.find((e) => e.check === 'sanity')!;
    assert.equal(sanity.flag, 'fail');
    assert.equal(sanity.value, 1);
    assert.equal(card.entries[0]!.flag, 'n/a');
    assert.equal(card.overall, 'fail');
  });
  it('deletion flag: margin against random', () => {
    assert.deepEqual(deletionFlag(0.5, 1), { flag: 'pass', margin: 0.5 });
    assert.equal(deletionFlag(0.95, 1).flag, 'warn');
    assert.equal(deletionFlag(1.2, 1).flag, 'fail');
  });
});

describe('scorecards work for every registered method', () => {
  it('numeric and token models, every method (and TSR over saliency)', async () => {
    ensureMethods();
    const { SequenceModel } = await import('../../src/nn/model.js');
    const { listMethods, getMethod } = await import('../../src/explain/attribute.js');
    const numeric = new SequenceModel(
      {
        input: { kind: 'numeric', features: 3 },
        layers: [
          { kind: 'lstm', units: 4 },
          { kind: 'dense', units: 2 },
        ],
      },
      { seed: 1 },
    );
    const tokens = new SequenceModel(
      {
        input: { kind: 'tokens', vocabSize: 9 },
        layers: [
          { kind: 'embedding', vocabSize: 9, dim: 3 },
          { kind: 'gru', units: 4 },
          { kind: 'dense', units: 2 },
        ],
      },
      { seed: 1 },
    );
    const x = {
      data: Float64Array.from({ length: 2 * 6 * 3 }, (_, i) => Math.sin(i * 0.7)),
      batch: 2,
      steps: 6,
      features: 3,
      lengths: Int32Array.of(6, 4),
    };
    const ids = {
      ids: Int32Array.of(2, 3, 4, 5, 6, 7, 8, 2, 3, 4, 0, 0),
      batch: 2,
      steps: 6,
      lengths: Int32Array.of(6, 4),
    };
    let cards = 0;
    for (const name of [...listMethods(), 'tsr']) {
      if (name === echo.name) continue;
      for (const [model, input] of [
        [numeric, x],
        [tokens, ids],
      ] as const) {
        if (!getMethod(name).inputKinds.includes(model.inputSpec.kind)) continue;
        const options = { method: name, target: [0, 1], samples: 20, permutations: 2 };
        const card = scorecard(model, input, options, attribute(model, input, options));
        assert.equal(card.entries.length, 3, name);
        for (const e of card.entries) {
          assert.ok(['pass', 'warn', 'fail', 'n/a'].includes(e.flag), `${name} ${e.check}`);
          assert.ok(
            e.check === 'completeness' || Number.isFinite(e.value),
            `${name} ${e.check}: ${e.value}`,
          );
        }
        cards++;
      }
    }
    assert.ok(cards >= 24, `${cards} scorecards`);
  });
});
