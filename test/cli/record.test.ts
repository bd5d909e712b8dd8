// explain, certify and internals run by hand record runs of their kind, linked to the training
// run the model came from; --no-record records nothing.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { SequenceModel } from '../../src/nn/model.js';
import { RunStore } from '../../src/runs/store.js';
import { trainingRunOf } from '../../src/pipeline/analysis-run.js';
import { saveModel } from '../../src/train/checkpoint.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  // the test runner reports through stdout with Buffers: only the command's strings are captured
  process.stdout.write = ((t: string | Uint8Array, ...rest: never[]) => (typeof t === 'string' ? ((out += t), true) : w1(t, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => ((err += t), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(args), out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = 0;
  }
}

const root = mkdtempSync(join(tmpdir(), 'rnnlens-record-'));
const runs = join(root, 'runs');
const store = RunStore.open(runs);
const trainRun = store.createRun({ kind: 'train', tags: ['brackets'] });
// a token tagger the brackets recipe's data fits (vocabulary 9, 6 depth tags), saved where train puts it
const model = join(trainRun.dir, 'model');
const net = new SequenceModel({ input: { kind: 'tokens', vocabSize: 9 }, layers: [{ kind: 'embedding', vocabSize: 9, dim: 4 }, { kind: 'lstm', units: 4, returnSequences: true }, { kind: 'dense', units: 6 }] }, { seed: 1 });
saveModel(model, net, { task: 'tagging', meta: { recipe: 'brackets', seed: 0, run: trainRun.id } });
trainRun.finish('finished');
// a classifier elsewhere that records the training run in its meta
const classifier = join(root, 'clf');
saveModel(classifier, new SequenceModel({ input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'gru', units: 3 }, { kind: 'dense', units: 2 }] }, { seed: 2 }), { task: 'classification', classNames: ['ham', 'spam'], meta: { run: trainRun.id } });
store.close();
const input = join(root, 'in.json');
writeFileSync(input, JSON.stringify({ inputs: [[[0.1, 0.2], [0.3, -0.4], [0.5, 0.1]], [[0.2, 0.1], [-0.3, 0.4]]] }));

it('the training run of a model: its meta, or the run folder holding it', () => {
  const s = RunStore.open(runs);
  try {
    assert.equal(trainingRunOf(s, model), trainRun.id);
    assert.equal(trainingRunOf(s, join(model, 'model.json')), trainRun.id);
    assert.equal(trainingRunOf(s, classifier), trainRun.id);
    assert.equal(trainingRunOf(s, input), undefined);
  } finally {
    s.close();
  }
});

it('explain and certify record runs linked to the training run', async () => {
  let r = await run(['explain', '--model', classifier, '--input', input, '--method', 'saliency', '--target', 'spam', '--runs-dir', runs, '--quiet']);
  assert.equal(r.code, 0, r.err);
  const explainId = /recorded run (\S+) \(model from training run (\S+)\)/.exec(r.out);
  assert.ok(explainId, r.out);
  assert.equal(explainId[2], trainRun.id);
  r = await run(['certify', '--model', classifier, '--input', input, '--eps', '0.01', '--runs-dir', runs, '--json']);
  assert.equal(r.code, 0, r.err);
  const certifyId = (JSON.parse(r.out) as { run: string }).run;
  const s = RunStore.open(runs);
  try {
    const ex = s.show(explainId[1]!);
    assert.equal(ex.run.kind, 'explain');
    assert.equal(ex.run.status, 'finished');
    assert.ok(ex.run.tags.includes(trainRun.id));
    assert.equal((ex.run.config as { modelRun: string }).modelRun, trainRun.id);
    assert.deepEqual(ex.artifacts.map((a) => a.name), ['explanation.json', 'fig-explain-0.json', 'fig-explain-1.json']);
    // the numeric heatmap covers each sequence's own steps
    const fig = s.readJson(ex.run.id, 'fig-explain-1.json') as { figure: string; title: string; data: { values: number[][] } };
    assert.equal(fig.figure, 'heatmap');
    assert.equal(fig.data.values.length, 2);
    assert.match(fig.title, /saliency for 'spam', predicted '(ham|spam)' \(p = 0\.\d{3}\)/);
    const recorded = s.readJson(ex.run.id, 'explanation.json') as { predicted: { name: string; probability: number }[] };
    assert.equal(recorded.predicted.length, 2);
    assert.ok(recorded.predicted.every((p) => p.probability >= 0.5 && p.probability <= 1));
    assert.equal(ex.run.metrics.sequences, 2);

    const ce = s.show(certifyId);
    assert.equal(ce.run.kind, 'certify');
    assert.ok(ce.run.tags.includes(trainRun.id));
    assert.deepEqual(ce.artifacts.map((a) => a.name), ['certificates.json', 'fig-certificate-0.json', 'fig-certificate-1.json']);
    const cert = s.readJson(certifyId, 'certificates.json') as { results: { certified: boolean; prediction: number; margins: (number | null)[] }[]; classNames: string[]; eps: number };
    assert.equal(cert.results.length, 2);
    // per class: the certified margin below the prediction (none for the prediction itself)
    for (const c of cert.results) {
      assert.equal(c.margins.length, 2);
      assert.equal(c.margins[c.prediction], null);
      assert.equal(c.certified, c.margins.every((g) => g === null || g > 0));
    }
    assert.deepEqual(cert.classNames, ['ham', 'spam']);
    assert.equal(cert.eps, 0.01);
    assert.equal(ce.run.metrics.inputs, 2);
    assert.equal(ce.run.metrics.certified, cert.results.filter((c) => c.certified).length);
    const iv = s.readJson(certifyId, 'fig-certificate-0.json') as { figure: string; data: { classes: { label: string }[] } };
    assert.equal(iv.figure, 'certified-intervals');
    assert.deepEqual(iv.data.classes.map((c) => c.label), ['ham', 'spam']);
  } finally {
    s.close();
  }
});

it('internals records a run with its figures; --no-record records none', async () => {
  const out = join(root, 'internals');
  const args = ['internals', '--model', model, '--out', out, '--sequences', '12', '--permutations', '0', '--projections', 'none', '--no-png', '--quiet', '--runs-dir', runs];
  let r = await run([...args, '--json']);
  assert.equal(r.code, 0, r.err);
  const id = (JSON.parse(r.out) as { run: string }).run;
  const s = RunStore.open(runs);
  try {
    const d = s.show(id);
    assert.equal(d.run.kind, 'internals');
    assert.ok(d.run.tags.includes(trainRun.id));
    assert.equal(d.run.metrics.sequences, 12);
    const names = d.artifacts.map((a) => a.name);
    assert.ok(names.includes('summary.json') && names.includes('structure.svg'));
    const seqs = s.readJson(id, 'sequences.json') as { id: string; text: string }[];
    assert.equal(seqs.length, 12);
    assert.ok(seqs.every((q) => /^\d+$/.test(q.id) && q.text.length > 0));
    assert.ok(names.some((n) => n.startsWith('fig-')), names.join(' '));
    const before = s.list().length;
    s.close();
    r = await run([...args, '--no-record']);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, /recorded run/);
    const again = RunStore.open(runs);
    assert.equal(again.list().length, before);
    again.close();
  } finally {
    s.close();
  }
});

it('runs ls shows the most telling metrics of each run, not the first names alphabetically', async () => {
  const dir = join(root, 'ls-runs');
  const s = RunStore.open(dir);
  const w = s.createRun({ kind: 'train' });
  w.finish('finished', { metrics: { train_balancedAccuracy: 0.99, train_f1: 0.98, train_loss: 0.01, test_accuracy: 0.976, test_f1: 0.972, test_rocAuc: 0.997, test_loss: 0.11, val_accuracy: 0.975, val_f1: 0.971, val_loss: 0.12 } });
  s.close();
  const r = await run(['runs', 'ls', '--runs-dir', dir]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /test_accuracy=0\.9760 test_f1=0\.9720 test_rocAuc=0\.9970 val_accuracy=0\.9750 val_f1=0\.9710 train_f1=0\.9800 \(\+4 more: rnnlens runs show ID\)/);
});

it('verify and explain-bench record runs too', async () => {
  let r = await run(['verify', 'gradients', '--model', model, '--samples', '2', '--per-tensor', '4', '--runs-dir', runs, '--json']);
  assert.equal(r.code, 0, r.err);
  const verifyId = (JSON.parse(r.out) as { run: string }).run;
  r = await run(['explain-bench', '--datasets', 'ismail-RareFeature-gaussian', '--methods', 'saliency', '--no-tsr', '--train-size', '100', '--test-size', '6', '--epochs', '2', '--runs-dir', runs, '--quiet']);
  assert.equal(r.code, 0, r.err);
  const benchId = /recorded run (\S+)/.exec(r.out)![1]!;
  const s = RunStore.open(runs);
  try {
    const v = s.show(verifyId);
    assert.equal(v.run.kind, 'verify');
    assert.ok(v.run.tags.includes(trainRun.id));
    assert.equal(v.run.metrics.passed, 1);
    assert.deepEqual(v.artifacts.map((a) => a.name), ['verify.json']);
    const b = s.show(benchId);
    assert.equal(b.run.kind, 'explain-bench');
    assert.deepEqual(b.artifacts.map((a) => a.name), ['fig-benchmark-aupr.json', 'fig-benchmark-deletion.json', 'results.json', 'table.md']);
    const rows = (s.readJson(benchId, 'results.json') as { results: { method: string; aupr: number }[] }).results;
    assert.deepEqual(rows.map((x) => x.method), ['random', 'saliency']);
    assert.equal(b.run.metrics.aupr_saliency, rows[1]!.aupr);
  } finally {
    s.close();
  }
});
