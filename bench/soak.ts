/**
 * Soak test (not part of npm test): a bounded burst of trainings into one model folder that are
 * killed with SIGKILL at random moments, then resumed; after every kill the folder must load, and
 * the final weights must equal an uninterrupted training's. Prints the figures.
 * Usage: npx tsx bench/soak.ts [ROUNDS=8]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/train/checkpoint.js';
import { Rng } from '../src/core/rng.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = join(ROOT, 'test', 'reliability', 'cli-child.ts');
const ROUNDS = Number(process.argv[2] ?? 8);
const TRAIN = ['train', '--recipe', 'motif', '--epochs', '40', '--hidden', '8', '--no-record', '--json'];
const base = mkdtempSync(join(tmpdir(), 'rnnlens-soak-'));
const rng = new Rng(1);
const sha = (dir: string) => (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weights: { sha256: string } }).weights.sha256;

const t0 = performance.now();
const full = join(base, 'full');
spawnSync(process.execPath, ['--import', 'tsx', CHILD, ...TRAIN, '--out', full], { cwd: ROOT });
const fullSeconds = (performance.now() - t0) / 1000;
const dir = join(base, 'killed');
let kills = 0;
let loadable = 0;
let leftovers = 0;
let finished = false;
let roundsRun = 0;
for (let round = 0; round < ROUNDS; round++) {
  roundsRun++;
  const args = [...TRAIN, '--out', dir, ...(existsSync(join(dir, 'model.json')) ? ['--resume'] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, stdio: 'ignore' });
  const done = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  const after = 300 + rng.int(Math.max(1, Math.round(fullSeconds * 900)));
  const timer = setTimeout(() => child.kill('SIGKILL'), after);
  const code = await done;
  clearTimeout(timer);
  if (code === null) kills++;
  if (existsSync(join(dir, 'model.json'))) {
    try {
      loadModel(dir);
      loadable++;
    } catch (e) {
      console.log(`round ${round}: the folder does not load after the kill: ${(e as Error).message}`);
    }
  } else loadable++; // killed before the first checkpoint: nothing to load yet
  leftovers = existsSync(dir) ? readdirSync(dir).filter((n) => n.includes('.tmp-')).length : 0;
  if (code === 0) {
    finished = true;
    break;
  }
}
const r = finished ? { status: 0 } : spawnSync(process.execPath, ['--import', 'tsx', CHILD, ...TRAIN, '--out', dir, '--resume'], { cwd: ROOT, encoding: 'utf8' });
console.log(JSON.stringify({
  rounds: roundsRun,
  kills,
  loadableAfterEveryRound: loadable,
  tempFilesLeftBeforeLastSave: leftovers,
  tempFilesAtEnd: !existsSync(dir) ? 0 : readdirSync(dir).filter((n) => n.includes('.tmp-')).length,
  resumeExit: r.status,
  sameWeightsAsUninterrupted: existsSync(join(dir, 'model.json')) && sha(dir) === sha(full),
  uninterruptedSeconds: Number(fullSeconds.toFixed(1)),
}));
