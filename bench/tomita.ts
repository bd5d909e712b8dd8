/**
 * Trains the seven Tomita recipes and extracts a DFA from each network with L* (network as
 * membership oracle, sampled equivalence queries); reports per grammar the test accuracy, the
 * extracted DFA's states, whether it equals the grammar's minimal DFA, and its fidelity:
 *   npx tsx bench/tomita.ts [1 2 ... 7] [--seeds N] [--json]
 * With --seeds N each grammar is trained from seeds 0..N−1 (data split and weights) and a summary
 * of how many give the minimal DFA ends the output.
 */
import { distinguish } from '../src/automata/dfa.js';
import { extractDfa, networkOracle } from '../src/automata/extract.js';
import { tomitaDfa, TOMITA_ALPHABET } from '../src/automata/tomita.js';
import { TOMITA_START } from '../src/data/synthetic/tomita.js';
import { SequenceModel } from '../src/nn/model.js';
import { evaluate } from '../src/train/evaluate.js';
import { buildModelConfig, getRecipe } from '../src/train/recipes.js';
import { train } from '../src/train/trainer.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const si = args.indexOf('--seeds');
const seeds = si >= 0 ? Number(args[si + 1]) : 1;
const grammars = args.filter((a, i) => !a.startsWith('--') && !(si >= 0 && i === si + 1)).map(Number);
const rows: Record<string, unknown>[] = [];
for (const g of grammars.length ? grammars : [1, 2, 3, 4, 5, 6, 7]) for (let seed = 0; seed < seeds; seed++) {
  const r = getRecipe(`tomita${g}`);
  const t0 = performance.now();
  const data = r.load({ seed: seeds > 1 ? seed : r.train.seed ?? 0 });
  const model = new SequenceModel(buildModelConfig(r.model, data.train, 'classification'), { seed });
  await train(model, data.train, { ...r.train, ...(seeds > 1 ? { seed } : {}), task: 'classification' }, { validation: data.validation });
  const acc = evaluate(model, data.test, 'classification').metrics['accuracy'];
  const member = networkOracle(model, data.preprocessing.tokenizer, { alphabet: TOMITA_ALPHABET, prefix: TOMITA_START });
  const x = extractDfa({ alphabet: TOMITA_ALPHABET, member, seed: 0, maxStates: 30 });
  const diff = distinguish(x.dfa, tomitaDfa(g));
  const row = { grammar: g, seed, testAccuracy: acc, states: x.dfa.states, minimalStates: tomitaDfa(g).states, equal: diff === null, firstDifference: diff, fidelity: x.fidelity, counterexamples: x.counterexamples, stopped: x.stopped, seconds: (performance.now() - t0) / 1000 };
  rows.push(row);
  if (!json) process.stderr.write(`tomita${g}${seeds > 1 ? ` seed ${seed}` : ''}: test accuracy ${Number(acc).toFixed(4)}, ${row.states} states (minimal ${row.minimalStates}), equal ${row.equal}${diff !== null ? ` (differs on ${JSON.stringify(diff)})` : ''}, fidelity ${x.fidelity.toFixed(4)}, ${row.seconds.toFixed(1)} s\n`);
}
if (seeds > 1 && !json) process.stderr.write(`minimal DFA in ${rows.filter((r) => r.equal).length} of ${rows.length} trainings\n`);
if (json) process.stdout.write(JSON.stringify(rows) + '\n');
