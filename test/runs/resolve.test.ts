import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/runs/store.js';
import { runCli } from '../../src/cli/main.js';

it("run references: ids, 'latest', 'latest:KIND' and unique prefixes; clear errors otherwise", async () => {
  const root = mkdtempSync(join(tmpdir(), 'rnnlens-resolve-'));
  const s = RunStore.open(root);
  const ids: string[] = [];
  for (const kind of ['train', 'explain', 'train'] as const) {
    const w = s.createRun({ kind });
    w.finish('finished');
    ids.push(w.id);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(s.resolve(ids[0]!), ids[0]);
  assert.equal(s.resolve('latest'), ids[2]);
  assert.equal(s.resolve('latest:explain'), ids[1]);
  assert.throws(() => s.resolve('latest:certify'), /no certify runs/);
  // the shortest prefix that names exactly one run
  const unique = (id: string) => {
    for (let n = 1; n <= id.length; n++) if (ids.filter((x) => x.startsWith(id.slice(0, n))).length === 1) return id.slice(0, n);
    return id;
  };
  for (const id of ids) assert.equal(s.resolve(unique(id)), id);
  const common = ids[0]!.slice(0, 1);
  if (ids.every((x) => x.startsWith(common))) assert.throws(() => s.resolve(common), /is the start of 3 run ids/);
  assert.throws(() => s.resolve('zzzz-nothing'), /no run with id 'zzzz-nothing' \(or starting with it\)/);
  s.close();
  let out = '';
  const w = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((t: string) => ((out += t), true)) as typeof process.stdout.write;
  try {
    assert.equal(await runCli(['runs', 'show', 'latest', '--runs-dir', root, '--json']), 0);
  } finally {
    process.stdout.write = w;
    process.exitCode = 0;
  }
  assert.equal((JSON.parse(out) as { run: { id: string } }).run.id, ids[2]);
});
