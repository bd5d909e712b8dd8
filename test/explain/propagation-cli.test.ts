/**
 * `rnnlens explain --method lrp|deeplift` (the CLI in process) on every ONNX zoo model and every
 * Keras fixture (test/fixtures/keras, keras-graph, keras-attention): exit 0 with finite, non-zero
 * attributions of the input's shape and DeepLIFT's summation-to-delta, or, where a model has a
 * part without a rule, a one-line error naming the layer (and the op) that has none.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli } from '../cli-capture.js';
import { zooFixtures } from '../io/onnx-zoo-fixtures.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rnnlens-propagation-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Models a pass refuses, with the message it gives (file name → method → pattern). Everything else
 * must explain.
 */
const PRODUCT = /^rnnlens: LRP: graph layer 'multiply': op 'multiply\/[\w]+' \(Mul\) multiplies two signals of which neither is a gate/;
const REFUSED: Record<string, Partial<Record<'lrp' | 'deeplift', RegExp>>> = {
  // Multiply()([a, b]) of two recurrent signals: no gate for LRP to treat as a weight
  'masked_gru_concat_multiply.keras': { lrp: PRODUCT },
  'masked_gru_concat_multiply.h5': { lrp: PRODUCT },
};

interface Case {
  label: string;
  model: string;
  input: string;
  /** Sequences, their lengths and the width of a numeric input row (null: token ids). */
  batch: number;
  lengths: number[];
  features: number | null;
}

type Nested = number[][];

function writeInput(name: string, body: Record<string, unknown>): string {
  const path = join(dir, `${name.replace(/[^\w.-]+/g, '_')}.json`);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

function zooCases(): Case[] {
  return zooFixtures().map((fx) => {
    const [B, T] = fx.input.shape as [number, number];
    const F = fx.input.shape[2] ?? 1;
    const rows = Array.from({ length: B }, (_, b) =>
      fx.input.dtype === 'int64' ? fx.input.data.slice(b * T, (b + 1) * T) : Array.from({ length: T }, (_, t) => fx.input.data.slice((b * T + t) * F, (b * T + t + 1) * F)),
    );
    const body = fx.input.dtype === 'int64' ? { tokens: rows } : { inputs: rows };
    return { label: `onnx-zoo/${fx.name}.onnx`, model: join(FIX, 'onnx-zoo', `${fx.name}.onnx`), input: writeInput(`zoo-${fx.name}`, body), batch: B, lengths: new Array<number>(B).fill(T), features: fx.input.dtype === 'int64' ? null : F };
  });
}

function kerasCases(): Case[] {
  const out: Case[] = [];
  for (const folder of ['keras', 'keras-graph', 'keras-attention']) {
    const idx = JSON.parse(readFileSync(join(FIX, folder, 'index.json'), 'utf8')) as { cases: Array<{ name: string; file?: string; files?: string[]; input: Record<string, unknown> }> };
    for (const c of idx.cases) {
      let body: Record<string, unknown>;
      let batch: number;
      let lengths: number[];
      let features: number | null;
      if ('shape' in c.input) {
        const [B, T, F] = c.input.shape as [number, number, number];
        const data = c.input.data as number[];
        body = { inputs: Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => data.slice((b * T + t) * F, (b * T + t + 1) * F))) };
        [batch, lengths, features] = [B, new Array<number>(B).fill(T), F];
      } else {
        body = c.input;
        const rows = (c.input.inputs ?? c.input.tokens) as unknown[][];
        batch = rows.length;
        lengths = (c.input.lengths as number[] | undefined) ?? rows.map((r) => r.length);
        features = c.input.inputs ? ((c.input.inputs as number[][][])[0]![0]!.length) : null;
      }
      const input = writeInput(`${folder}-${c.name}`, body);
      for (const f of c.files ?? [c.file!]) out.push({ label: `${folder}/${f}`, model: join(FIX, folder, f), input, batch, lengths, features });
    }
  }
  return out;
}

function checkAttributions(c: Case, a: Nested[], what: string): void {
  assert.equal(a.length, c.batch, `${what}: one map per sequence`);
  let width = -1;
  a.forEach((seq, b) => {
    assert.ok(seq.length >= c.lengths[b]! && seq.length <= Math.max(...c.lengths), `${what}: sequence ${b} has ${seq.length} steps (length ${c.lengths[b]})`);
    for (const row of seq) {
      if (width < 0) width = row.length;
      assert.equal(row.length, width, `${what}: rows of one width`);
      for (const v of row) assert.ok(Number.isFinite(v), `${what}: finite attributions`);
    }
    assert.ok(seq.slice(0, c.lengths[b]).flat().some((v) => v !== 0), `${what}: sequence ${b} has non-zero attributions`);
  });
  if (c.features !== null) assert.equal(width, c.features, `${what}: one attribution per input feature`);
  else assert.ok(width >= 1, `${what}: attributions on the embedding`);
}

describe('explain --method lrp|deeplift on every zoo model and Keras fixture (CLI)', () => {
  const cases = [...zooCases(), ...kerasCases()];

  it('covers the zoo and the three Keras fixture folders', () => {
    assert.ok(cases.filter((c) => c.label.startsWith('onnx-zoo/')).length >= 18);
    for (const f of ['keras/', 'keras-graph/', 'keras-attention/']) assert.ok(cases.some((c) => c.label.startsWith(f)), f);
  });

  for (const method of ['lrp', 'deeplift'] as const)
    for (const c of cases) {
      const refused = REFUSED[c.label.split('/').pop()!]?.[method];
      it(`${method} on ${c.label}${refused ? ': refused by name' : ''}`, async () => {
        const what = `${method} on ${c.label}`;
        const r = await cli(['explain', '--model', c.model, '--input', c.input, '--method', method, '--target', '0', '--json', '--quiet', '--no-record']);
        if (refused) {
          assert.notEqual(r.code, 0, `${what}: refused`);
          assert.match(r.err.trim(), refused, what);
          assert.equal(r.err.trim().split('\n').length, 1, `${what}: a one-line message`);
          return;
        }
        assert.equal(r.code, 0, `${what}: ${r.err}`);
        const j = JSON.parse(r.out) as { method: string; attributions: Nested[]; outputs: number[]; delta: number[] | null };
        assert.equal(j.method, method, what);
        checkAttributions(c, j.attributions, what);
        if (method === 'deeplift') {
          assert.equal(j.delta?.length, c.batch, `${what}: one summation-to-delta gap per sequence`);
          j.delta!.forEach((d, b) => assert.ok(Math.abs(d) <= 1e-9 * Math.max(1, Math.abs(j.outputs[b]!)), `${what}: summation-to-delta gap ${d} (sequence ${b})`));
        }
      });
    }
});
