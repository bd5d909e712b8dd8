// `rnnlens explain` on a token model with perturbation methods: --json and explanation.json hold
// one value per token, the output change of replacing that token (not E times it); options that
// would split a token's embedding are one-line errors.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { Rng } from '../../src/core/rng.js';
import type { Tensor } from '../../src/core/tensor.js';
import { attribute } from '../../src/explain/attribute.js';
import { SequenceModel } from '../../src/nn/model.js';
import { saveModel } from '../../src/train/checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-token-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const E = 8;
const net = new SequenceModel(
  {
    input: { kind: 'tokens', vocabSize: 10 },
    layers: [
      { kind: 'embedding', vocabSize: 10, dim: E },
      { kind: 'gru', units: 4 },
      { kind: 'dense', units: 2 },
    ],
  },
  { backend: 'ts64', seed: 2 },
);
new Rng(4).fillNormal(net.layers[0]!.parameters()[0]!.value as Float64Array);
const model = join(dir, 'm');
saveModel(model, net, { task: 'classification', classNames: ['ham', 'spam'] });
const texts = [
  [4, 7, 2, 9],
  [3, 8, 5],
];
const input = join(dir, 'in.json');
writeFileSync(input, JSON.stringify({ tokens: texts }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((t: string | Uint8Array, ...rest: never[]) =>
    typeof t === 'string' ? ((out += t), true) : w1(t, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => ((err += t), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(args), out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = 0;
  }
}

/** The spam logit of a text, from token ids. */
const spam = (ids: number[]): number =>
  (
    net.predict({
      ids: Int32Array.from(ids),
      batch: 1,
      steps: ids.length,
      lengths: Int32Array.of(ids.length),
    }) as Tensor
  ).data[1]!;

/** `rnnlens explain --model <model> --input <file> --method <method> …extra --no-record`. */
const explain = (method: string, extra: string[] = [], file = input) =>
  run(['explain', '--model', model, '--input', file, '--method', method, ...extra, '--no-record']);

/** `explain … --json --quiet`: asserts it succeeds and returns the printed JSON. */
async function explainJson<T>(method: string, extra: string[] = []): Promise<T> {
  const r = await explain(method, [...extra, '--json', '--quiet']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as T;
}

/** Flags shared by the runs that compare with exact values: PAD baseline, the spam logit. */
const PAD_SPAM = ['--baseline', 'pad', '--target', 'spam'];

describe('explain on a token model with a perturbation method', () => {
  it('--json and explanation.json: occlusion of a token is F(x) − F(x with that token PAD)', async () => {
    const out = join(dir, 'occ');
    const printed = await explainJson<{ attributions: number[][][] }>('occlusion', [
      ...PAD_SPAM,
      '--out',
      out,
    ]);
    const saved = JSON.parse(readFileSync(join(out, 'explanation.json'), 'utf8')) as typeof printed;
    assert.deepEqual(saved.attributions, printed.attributions);
    texts.forEach((ids, b) =>
      ids.forEach((_, t) => {
        const want = spam(ids) - spam(ids.map((id, u) => (u === t ? 0 : id)));
        const got = printed.attributions[b]![t]!;
        assert.equal(got.length, 1);
        assert.ok(Math.abs(got[0]! - want) < 1e-5, `text ${b} token ${t}: ${got[0]} vs ${want}`);
      }),
    );
  });

  it('Shapley sampling: the tokens of a text sum to F(x) − F(all PAD)', async () => {
    const j = await explainJson<{ attributions: number[][][] }>('shapley-sampling', [
      '--perms',
      '3',
      ...PAD_SPAM,
    ]);
    texts.forEach((ids, b) => {
      const sum = j.attributions[b]!.slice(0, ids.length).reduce((s, v) => s + v[0]!, 0);
      const want = spam(ids) - spam(ids.map(() => 0));
      assert.ok(Math.abs(sum - want) < 1e-5, `text ${b}: ${sum} vs ${want}`);
    });
  });

  it('--perms all: exact Shapley values of the tokens', async () => {
    const j = await explainJson<{ attributions: number[][][]; params: unknown }>(
      'shapley-sampling',
      ['--perms', 'all', ...PAD_SPAM],
    );
    assert.deepEqual(j.params, { perms: 'all' });
    const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
    texts.forEach((ids, b) => {
      const L = ids.length;
      const v = (z: number) => spam(ids.map((id, t) => ((z >> t) & 1 ? id : 0)));
      for (let g = 0; g < L; g++) {
        let phi = 0;
        for (let z = 0; z < 1 << L; z++) {
          if ((z >> g) & 1) continue;
          let k = 0;
          for (let t = 0; t < L; t++) k += (z >> t) & 1;
          phi += ((fact(k) * fact(L - k - 1)) / fact(L)) * (v(z | (1 << g)) - v(z));
        }
        const got = j.attributions[b]![g]![0]!;
        assert.ok(Math.abs(got - phi) < 1e-5, `text ${b} token ${g}: ${got} vs ${phi}`);
      }
    });
    const long = join(dir, 'long.json');
    writeFileSync(long, JSON.stringify({ tokens: [[1, 2, 3, 4, 5, 6, 7, 8, 9]] }));
    const refused = await explain('shapley-sampling', ['--perms', 'all'], long);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.err,
      /explain: --perms all expected sequences of at most 8 steps \(it runs every one of the steps! orders\), received 9 steps/,
    );
  });

  it('--window must cover whole tokens', async () => {
    const r = await explain('occlusion', ['--window', '2x3']);
    assert.notEqual(r.code, 0);
    assert.match(
      r.err,
      new RegExp(
        `explain: --window expected STEPS \\(or STEPSx${E}\\) for a token model: occlusion replaces whole tokens \\(all ${E} embedding dimensions\\), received 2x3`,
      ),
    );
    assert.doesNotMatch(r.err, /\n\s+at /);
    await explainJson('occlusion', ['--window', `2x${E}`]);
  });
});

describe('attribute() refuses groups that split a token', () => {
  const x = {
    ids: Int32Array.from([4, 7, 2, 9, 3, 8, 5, 0]),
    batch: 2,
    steps: 4,
    lengths: Int32Array.of(4, 3),
  };
  const call = (o: Record<string, unknown>) => () =>
    attribute(net, x, { method: 'feature-ablation', target: 1, ...o });
  it('elements, features, a per-dimension mask, a sub-token window', () => {
    assert.throws(
      call({ groups: 'elements' }),
      /groups.*'steps' or \{ mask \} with one group id per token for a token model.*received "elements"/s,
    );
    assert.throws(call({ groups: 'features' }), /received "features"/);
    assert.throws(
      call({ groups: { mask: new Array(4 * E).fill(0) } }),
      /groups\.mask.*one group id per token: 4 \(\[T\]\) or 8 \(\[B, T\]\)/s,
    );
    assert.throws(call({ groups: { mask: [0, 1, -1, 2] } }), /groups\.mask\[2\]/);
    assert.throws(
      call({ method: 'occlusion', window: [1, 3] }),
      /window.*whole tokens for a token model: \[steps, 8\]/s,
    );
    const long = {
      ids: new Int32Array(20).fill(3),
      batch: 2,
      steps: 10,
      lengths: Int32Array.of(10, 9),
    };
    assert.throws(
      () => attribute(net, long, { method: 'shapley-sampling', target: 1, permutations: 'all' }),
      /permutations.*'all' for at most 8 groups per sequence.*'all' with 10 groups/s,
    );
  });
  it('a token mask per sequence: every token of a group gets the group value', () => {
    const r = attribute(net, x, {
      method: 'feature-ablation',
      target: 1,
      baseline: { kind: 'token', id: 0 },
      groups: { mask: [0, 0, 1, 1, 0, 1, 1, 0] },
    });
    const v = (ids: number[]) => spam(ids);
    const want = [
      v([4, 7, 2, 9]) - v([0, 0, 2, 9]),
      v([4, 7, 2, 9]) - v([4, 7, 0, 0]),
      v([3, 8, 5]) - v([0, 8, 5]),
      v([3, 8, 5]) - v([3, 0, 0]),
    ];
    const got = r.attributions.data;
    assert.deepEqual(
      [got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7]].map((g) =>
        Math.round(g! * 1e9),
      ),
      [want[0], want[0], want[1], want[1], want[2], want[3], want[3], 0].map((w) =>
        Math.round(w! * 1e9),
      ),
    );
  });
});
