/** `rnnlens certify --substitutions FILE`: discrete substitution sets from the command line. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { Command } from 'commander';
import { register } from '../../../src/cli/certify.js';
import { SequenceModel } from '../../../src/nn/model.js';
import { loadModel, saveModel } from '../../../src/train/checkpoint.js';
import { certify, evaluateFlat, regionFor } from '../../../src/verify/certify/certify.js';
import { substitutionSets } from '../../../src/verify/certify/substitutions.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-cert-subst-'));
function makeTokenModel(seed: number): SequenceModel {
  const m = new SequenceModel(
    {
      input: { kind: 'tokens', vocabSize: 10 },
      layers: [
        { kind: 'embedding', vocabSize: 10, dim: 3 },
        { kind: 'lstm', units: 4 },
        { kind: 'dense', units: 3 },
      ],
      init: 'torch',
    },
    { backend: 'ts64', seed },
  );
  for (const p of m.parameters())
    for (let i = 0; i < p.value.length; i++) p.value[i] = 3 * p.value[i]!;
  return m;
}
/** Classes the model predicts for the ten one-token sequences. */
function singleTokenClasses(m: SequenceModel): number[] {
  return Array.from({ length: 10 }, (_, k) => {
    const r = regionFor(m, { kind: 'tokens', ids: [k] }, { kind: 'ball', norm: 'linf', eps: 0 });
    const y = evaluateFlat(m, r.centre, 1, 1, r.features);
    return y.indexOf(Math.max(...y));
  });
}
// the first seed whose one-token sequences do not all get the same class (the attack test needs it)
let seed = 21;
while (new Set(singleTokenClasses(makeTokenModel(seed))).size < 2 && seed < 100) seed++;
const model = makeTokenModel(seed);
saveModel(join(dir, 'tok'), model, { task: 'classification' });
// what the command sees (the file stores float32 weights)
const saved = loadModel(join(dir, 'tok')).model.to('ts64');
const seqs = [
  [1, 4, 2, 9],
  [3, 3, 7],
];
writeFileSync(join(dir, 'tok.json'), JSON.stringify({ tokens: seqs }));
const file = (name: string, v: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(v));
  return p;
};

async function run(args: string[]): Promise<{ out: string; err: unknown }> {
  const program = new Command().exitOverride();
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['certify', ...args, '--no-record'], { from: 'user' });
    return { out, err: null };
  } catch (e) {
    return { out, err: e };
  } finally {
    process.stdout.write = write;
  }
}

interface Out {
  results: {
    prediction: number;
    lower: number[];
    upper: number[];
    certified: boolean;
    substitutionAttack?: { flipped: boolean; tokens: number[]; prediction: number };
    audit?: { ok: boolean };
  }[];
  perturbation: string;
  norm: null;
}

const base = ['--model', join(dir, 'tok'), '--input', join(dir, 'tok.json'), '--json'];

test('positions / sequences / tokens formats give the library certificate, audited', async () => {
  const positions = file('pos.json', { positions: { '1': [5, 6], '2': [0] } });
  const { out, err } = await run([...base, '--substitutions', positions, '--audit', '--attack']);
  assert.equal(err, null);
  const j = JSON.parse(out) as Out;
  assert.equal(j.perturbation, 'substitutions');
  assert.equal(j.results.length, 2);
  const sets = [
    { kind: 'substitution' as const, allowed: [[], [5, 6], [0], []] },
    { kind: 'substitution' as const, allowed: [[], [5, 6], [0]] },
  ];
  seqs.forEach((ids, i) => {
    const lib = certify(saved, { kind: 'tokens', ids }, sets[i]!);
    assert.deepEqual(j.results[i]!.lower, Array.from(lib.lower));
    assert.equal(j.results[i]!.certified, lib.certified);
    assert.equal(j.results[i]!.audit!.ok, true);
    assert.ok(!(lib.certified && j.results[i]!.substitutionAttack!.flipped));
  });
  // the same sets written per sequence and per token
  const perSeq = file('seq.json', {
    sequences: [
      { '1': [5, 6], '2': [0] },
      { '1': [5, 6], '2': [0] },
    ],
  });
  const r2 = JSON.parse((await run([...base, '--substitutions', perSeq])).out) as Out;
  assert.deepEqual(r2.results[0]!.lower, j.results[0]!.lower);
  assert.deepEqual(
    substitutionSets({ tokens: { '3': [8] } }, seqs).map((s) => s.allowed),
    [
      [[], [], [], []],
      [[8], [8], []],
    ],
  );
});

/** The model's prediction on a token sequence. */
function predictTokens(ids: number[]): number {
  const region = regionFor(saved, { kind: 'tokens', ids }, { kind: 'ball', norm: 'linf', eps: 0 });
  const y = evaluateFlat(saved, region.centre, 1, region.steps, region.features);
  return y.indexOf(Math.max(...y));
}

test('--attack: the greedy flip is found when one exists, and every reported flip is real', async () => {
  // one-token sequences: with every token allowed the first greedy round tries them all, so a
  // flip exists exactly when two tokens give different predictions
  const preds = Array.from({ length: 10 }, (_, k) => predictTokens([k]));
  const other = preds.findIndex((c) => c !== preds[0]);
  assert.ok(other > 0, `precondition: single tokens give different classes (${preds.join(',')})`);
  const all = Array.from({ length: 10 }, (_, k) => k);
  const single = join(dir, 'one.json');
  writeFileSync(single, JSON.stringify({ tokens: [[0], ...seqs] }));
  const spec = file('all.json', { positions: { '0': all, '1': all, '2': all, '3': all } });
  const { out, err } = await run([
    '--model',
    join(dir, 'tok'),
    '--input',
    single,
    '--json',
    '--substitutions',
    spec,
    '--attack',
  ]);
  assert.equal(err, null);
  const j = JSON.parse(out) as Out;
  assert.equal(j.results.length, 3);
  assert.equal(j.results[0]!.substitutionAttack!.flipped, true);
  assert.equal(j.results[0]!.certified, false);
  for (const r of j.results) {
    const a = r.substitutionAttack!;
    // the reported tokens really give the reported prediction
    const pred = predictTokens(a.tokens);
    assert.equal(pred, a.prediction);
    assert.equal(a.flipped, pred !== r.prediction);
    if (a.flipped) assert.equal(r.certified, false);
  }
});

test('bad substitution input gives clear errors', async () => {
  const ok = file('ok.json', { positions: { '0': [1] } });
  const cases: [string[], RegExp][] = [
    [['--substitutions', ok, '--eps', '0.1'], /--eps cannot be combined/],
    [
      ['--substitutions', file('bad1.json', { foo: 1 })],
      /"positions", "sequences" and\/or "tokens".*"foo"/,
    ],
    [['--substitutions', file('bad2.json', { positions: { x: [1] } })], /0-based integers/],
    [['--substitutions', file('bad3.json', { positions: { '0': [-1] } })], /array of token ids/],
    [
      ['--substitutions', file('bad4.json', { sequences: [{}] })],
      /one entry per input sequence \(2\)/,
    ],
    [['--substitutions', file('bad5.json', { positions: { '0': [99] } })], /token id in \[0, 10\)/],
    [['--substitutions', join(dir, 'missing.json')], /cannot read/],
  ];
  for (const [args, re] of cases) {
    const { err } = await run([...base, ...args]);
    assert.ok(err instanceof Error, `no error for ${args.join(' ')}`);
    assert.match((err as Error).message, re);
  }
});
