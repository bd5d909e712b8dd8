// Internals figures as a practitioner reads them: sequences sampled across the classes, one file
// per annotation whatever its punctuation, colour bars and axes that name what they show.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createDataset } from '../../src/data/dataset.js';
import { sampleSequences } from '../../src/explain/internals/sample.js';
import { annotationStem } from '../../src/explain/internals/unit-figures.js';
import { gradientFlowFigureData } from '../../src/explain/internals/gradient-flow.js';
import { gradientFlow } from '../../src/report/figures/gradient-flow.js';
import { tokenAttribution } from '../../src/report/figures/token-attribution.js';

const dataset = (labels: number[]) =>
  createDataset({
    name: 't',
    input: 'tokens',
    vocabSize: 5,
    target: 'class',
    classNames: ['ham', 'spam', 'eggs'],
    items: labels.map((label) => ({ x: Int32Array.from([2, 3]), steps: 2, label })),
  });

it('sampleSequences: stratified by class, in proportion, at least one per class; all when few', () => {
  // 80 ham first, then 15 spam, then 5 eggs: the first 20 would all be ham
  const ds = dataset([...Array(80).fill(0), ...Array(15).fill(1), ...Array(5).fill(2)]);
  const s = Array.from(sampleSequences(ds, 20));
  assert.equal(s.length, 20);
  assert.deepEqual(s, [...s].sort((a, b) => a - b));
  const count = (c: number) => s.filter((i) => ds.items[i]!.label === c).length;
  assert.deepEqual([count(0), count(1), count(2)], [16, 3, 1]);
  const tiny = Array.from(sampleSequences(ds, 3));
  assert.deepEqual(tiny.map((i) => ds.items[i]!.label), [0, 1, 2]);
  assert.deepEqual(Array.from(sampleSequences(ds, 500)), Array.from({ length: 100 }, (_, i) => i));
  // a sequence asked for (internals --select) is always among them
  assert.ok(Array.from(sampleSequences(ds, 20, [99])).includes(99));
  // no class per sequence: the first ones
  const tags = createDataset({ name: 'g', input: 'tokens', vocabSize: 5, target: 'tags', items: [0, 1, 2, 3].map(() => ({ x: Int32Array.from([2]), steps: 1, tags: Int32Array.from([0]) })) });
  assert.deepEqual(Array.from(sampleSequences(tags, 2)), [0, 1]);
});

it('annotation file stems differ for punctuation tokens', () => {
  const used = new Set<string>();
  const names = ['token=.', 'token=>', 'token=,', 'token=/', 'token=:', 'token=<unk>', 'token==', 'token=-', 'bracket-depth', 'token=é'];
  const stems = names.map((n) => annotationStem(n, used));
  assert.equal(new Set(stems).size, names.length, stems.join(' '));
  assert.deepEqual(stems.slice(0, 5), ['token-eq-dot', 'token-eq-gt', 'token-eq-comma', 'token-eq-slash', 'token-eq-colon']);
  assert.equal(stems[8], 'bracket-depth');
  for (const s of stems) assert.match(s, /^[A-Za-z0-9_-]+$/);
  // a remaining clash gets a counter instead of overwriting
  assert.equal(annotationStem('token=.', used), 'token-eq-dot-2');
});

it('unit figures title their colour bar by the activation; gradient flow names the top logit on its axis', () => {
  const spec = tokenAttribution({ tokens: ['a', 'b'], scores: [0.5, -0.2], valueTitle: 'h[3] activation' }) as { layer: { encoding: { color: { title?: string } } }[] };
  assert.equal(spec.layer[0]!.encoding.color.title, 'h[3] activation');
  const plain = tokenAttribution({ tokens: ['a'], scores: [1] }) as typeof spec;
  assert.equal(plain.layer[0]!.encoding.color.title, 'attribution');
  const data = gradientFlowFigureData({ hidden: [{ series: 'lstm', mean: [1, 0.5] }], input: { series: 'input', mean: [0.2, 0.1] } } as unknown as Parameters<typeof gradientFlowFigureData>[0]);
  const gf = gradientFlow(data) as { title: { text: string } | string; encoding: { y: { title: string } } };
  assert.match(JSON.stringify(gf.title), /top logit/);
  assert.match(gf.encoding.y.title, /top logit/);
  assert.doesNotMatch(gf.encoding.y.title, /loss/);
});

it('internals on a class dataset: stratified sequences, projections and sequences.json keyed by dataset position', async () => {
  const { SequenceModel } = await import('../../src/nn/model.js');
  const { analyseInternals } = await import('../../src/explain/internals/analyse.js');
  const { internalsSequences } = await import('../../src/pipeline/record.js');
  // 30 'ham' then 10 'spam': the first 8 sequences would all be ham
  const ds = createDataset({
    name: 'c',
    input: 'tokens',
    vocabSize: 6,
    target: 'class',
    classNames: ['ham', 'spam'],
    items: Array.from({ length: 40 }, (_, i) => ({ x: Int32Array.from([2 + (i % 3), 3, 4 + (i % 2)]), steps: 3, label: i < 30 ? 0 : 1 })),
  });
  const model = new SequenceModel({ input: { kind: 'tokens', vocabSize: 6 }, layers: [{ kind: 'embedding', vocabSize: 6, dim: 3 }, { kind: 'lstm', units: 4 }, { kind: 'dense', units: 2 }] }, { seed: 5 });
  const r = analyseInternals(model, ds, { maxSequences: 8, annotate: [], projections: ['pca'], permutations: 0 });
  assert.equal(r.sequences, 8);
  assert.deepEqual(r.indices.map((i) => ds.items[i]!.label), [0, 0, 0, 0, 0, 0, 1, 1]);
  const proj = r.figures.find((f) => f.kind === 'projection-trajectories')!.data as { sequences: { id: string; label: string }[] };
  const ids = proj.sequences.map((s) => s.id);
  assert.ok(ids.every((id) => r.indices.includes(Number(id))), ids.join(' '));
  assert.ok(proj.sequences.some((s) => s.label === 'spam' && Number(s.id) >= 30));
  const list = internalsSequences(ds, r.indices);
  assert.deepEqual(list.map((s) => s.id), r.indices.map(String));
  assert.deepEqual(list.map((s) => s.label), ['ham', 'ham', 'ham', 'ham', 'ham', 'ham', 'spam', 'spam']);
  assert.equal(list[0]!.text, '3 steps'); // no tokenizer recorded: the length
});
