// Real runs of every analysis kind the dashboard has a result page for, made with the CLI
// (bin/rnnlens.js, built into dist/) into one run store with tiny settings (seconds each):
// trainings, certify (radius and attack), evaluate, verify gradients and dataset, cv, compare,
// explain-bench, and the DFA extraction, fixed points and unit ablation of the tomita3 model. The browser tests and scripts/screenshots.mjs use them.
//   import { makeDemoRuns } from './demo-runs.mjs'; const ids = await makeDemoRuns(runsDir);
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = resolve(root, 'bin/rnnlens.js');

/**
 * Runs `rnnlens ARGS --json` and returns the object of its last output line. On a machine so
 * loaded that the wasm backend's worker threads miss their start deadline, tries again (twice).
 */
export async function rnnlens(args, { cwd = root } = {}) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rnnlensOnce(args, cwd);
    } catch (err) {
      if (attempt >= 2 || !/worker threads did not start/.test(String(err))) throw err;
    }
  }
}

function rnnlensOnce(args, cwd) {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [BIN, ...args, '--json'],
      { cwd, maxBuffer: 256 << 20 },
      (err, stdout, stderr) => {
        if (err)
          return fail(
            new Error(
              `rnnlens ${args.join(' ')} failed (${err.code}): ${stderr.trim().split('\n').pop()}`,
            ),
          );
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          done(JSON.parse(last));
        } catch {
          fail(new Error(`rnnlens ${args.join(' ')} printed no JSON: ${last.slice(0, 200)}`));
        }
      },
    );
  });
}

/** Every run made by makeDemoRuns, by what it is. */
/**
 * @typedef {{ train: string, model: string, certifyTrain: string, certifyModel: string, certify: string,
 *   evaluate: string, verifyGradients: string, verifyDataset: string, cv: string, compare: string,
 *   bench: string, extract: string, dynamics: string, intervene: string }} DemoRuns
 */

/**
 * Makes the runs into `runsDir`; `big` trains longer (nicer pictures for the screenshots).
 * @param {string} runsDir
 * @param {{ big?: boolean }} [opts]
 * @returns {Promise<DemoRuns>}
 */
export async function makeDemoRuns(runsDir, { big = false } = {}) {
  const store = ['--runs-dir', runsDir];
  const epochs = big ? '4' : '2';
  // two chains side by side: a tomita3 model (short sequences: certify in seconds) with its
  // gradient check and the attribution benchmark; a motif model (not learnt perfectly in a few
  // epochs: telling curves) with evaluate, verify dataset, cv and compare
  const tomita = (async () => {
    const t = await rnnlens([
      'train',
      '--recipe',
      'tomita3',
      '--epochs',
      '1',
      '--hidden',
      '6',
      ...store,
    ]);
    const m = String(t.model);
    const certify = await rnnlens([
      'certify',
      '--model',
      m,
      '--dataset',
      '--limit',
      big ? '8' : '4',
      '--radius',
      '--attack',
      '--tolerance',
      '0.005',
      ...store,
    ]);
    const gradients = await rnnlens([
      'verify',
      'gradients',
      '--model',
      m,
      '--samples',
      '2',
      '--steps',
      '6',
      ...store,
    ]);
    const extract = await rnnlens(['extract', '--model', m, ...store]);
    const dynamics = await rnnlens([
      'dynamics',
      '--model',
      m,
      '--starts',
      '16',
      '--iterations',
      '300',
      '--sequences',
      '20',
      '--quiet',
      ...store,
    ]);
    const intervene = await rnnlens([
      'intervene',
      '--model',
      m,
      '--units',
      '0',
      '--permutations',
      '9',
      '--limit',
      '50',
      '--quiet',
      ...store,
    ]);
    const bench = await rnnlens([
      'explain-bench',
      '--datasets',
      'motif',
      '--methods',
      'saliency,integrated-gradients,occlusion',
      '--no-tsr',
      '--train-size',
      big ? '200' : '80',
      '--test-size',
      '8',
      '--epochs',
      epochs,
      '--quiet',
      ...store,
    ]);
    return {
      certifyModel: m,
      certifyTrain: String(t.run),
      certify: String(certify.run),
      verifyGradients: String(gradients.run),
      bench: String(bench.run),
      extract: String(extract.run),
      dynamics: String(dynamics.run),
      intervene: String(intervene.run),
    };
  })();
  const motif = (async () => {
    const cvArgs = [
      '--recipe',
      'motif',
      '--epochs',
      epochs,
      '--hidden',
      '8',
      '--batch-size',
      '64',
      ...store,
    ];
    const t = await rnnlens(['train', ...cvArgs]);
    const m = String(t.model);
    const evaluate = await rnnlens([
      'evaluate',
      '--model',
      m,
      '--recipe',
      'motif',
      '--resamples',
      '200',
      '--baseline',
      'majority',
      ...store,
    ]);
    const dataset = await rnnlens([
      'verify',
      'dataset',
      '--model',
      m,
      '--recipe',
      'motif',
      '--resamples',
      '200',
      ...store,
    ]);
    const cv = await rnnlens(['cv', ...cvArgs, '--folds', '3']);
    const compare = await rnnlens([
      'compare',
      ...cvArgs,
      '--folds',
      '3',
      '--against',
      'baseline',
      '--trees',
      '10',
      '--forest-rows',
      '300',
    ]);
    return {
      train: String(t.run),
      model: m,
      evaluate: String(evaluate.run),
      verifyDataset: String(dataset.run),
      cv: String(cv.run),
      compare: String(compare.run),
    };
  })();
  return { ...(await tomita), ...(await motif) };
}
