/**
 * `rnnlens extract --model PATH [--recipe NAME | --alphabet SYMBOLS] [--prefix STR] [--max-states N]
 *  [--property REGEX [--property-kind inclusion|exclusion]] [--json]`: extracts a DFA from a
 * binary string classifier with L* (the network answers membership queries; equivalence queries
 * are answered by sampling) and prints it with its fidelity on held-out strings, its
 * counterexamples and Graphviz DOT text; `--property` checks a regular property on the DFA and
 * runs its shortest counterexample on the network.
 */
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { renderDot } from '../automata/dfa.js';
import { extractDfa, networkOracle } from '../automata/extract.js';
import { checkProperty, PROPERTY_KINDS, type PropertyKind } from '../automata/property.js';
import { regexToDfa } from '../automata/regex.js';
import { RunStore } from '../runs/store.js';
import { loadModel } from '../train/checkpoint.js';
import { intOption } from './options.js';

interface ExtractCliOptions {
  model: string;
  recipe?: string;
  alphabet?: string;
  prefix?: string;
  maxStates: number;
  seed: number;
  property?: string;
  propertyKind: string;
  json?: boolean;
  runsDir: string;
  record: boolean;
}

export function register(program: Command): void {
  program
    .command('extract')
    .description('extract a DFA from a binary string classifier (L*, the network as oracle) and check regular properties on it')
    .requiredOption('--model <path>', 'model folder (rnnlens native format) of a token classifier; class 1 = accept')
    .option('--recipe <name>', 'a tomita1..tomita7 recipe: alphabet 01 and start symbol ^ (default: the recipe recorded in the model)')
    .option('--alphabet <symbols>', 'the alphabet as one string of one-character symbols, e.g. 01')
    .option('--prefix <str>', 'text read before every string (the Tomita recipes use ^, so the empty string has a step)')
    .option('--max-states <n>', 'give up above this many states', intOption('--max-states'), 50)
    .option('--seed <n>', 'seed of the sampled equivalence queries and held-out strings', intOption('--seed', true), 0)
    .option('--property <regex>', 'a regular property over the alphabet: | * + ? ( ) [..] [^..] and . (any symbol)')
    .option('--property-kind <kind>', 'inclusion: every accepted string is in L(regex); exclusion: no accepted string is in L(regex)', 'inclusion')
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option('--no-record', 'do not record a run (by default: a run of kind extract with dfa.json and dfa.dot)')
    .option('--json', 'print the result as JSON')
    .action((o: ExtractCliOptions) => {
      const loaded = loadModel(o.model);
      const recipe = o.recipe ?? (typeof loaded.file.meta['recipe'] === 'string' ? (loaded.file.meta['recipe'] as string) : undefined);
      const tomita = recipe !== undefined && /^tomita[1-7]$/.test(recipe);
      if (recipe !== undefined && !tomita && !o.alphabet)
        throw new RnnlensError(`extract: --recipe expected one of tomita1..tomita7 (or give --alphabet), received ${JSON.stringify(recipe)}`);
      const alphabetText = o.alphabet ?? (tomita ? '01' : undefined);
      if (!alphabetText) throw new RnnlensError('extract: pass --alphabet SYMBOLS (e.g. 01) or --recipe tomitaN');
      const alphabet = [...alphabetText];
      if (new Set(alphabet).size !== alphabet.length) throw new RnnlensError(`extract: --alphabet expected distinct symbols, received ${JSON.stringify(alphabetText)}`);
      if (!PROPERTY_KINDS.includes(o.propertyKind as PropertyKind))
        throw new RnnlensError(`extract: --property-kind expected inclusion or exclusion, received ${JSON.stringify(o.propertyKind)}`);
      const tokenizer = loaded.file.preprocessing['tokenizer'];
      if (!tokenizer) throw new RnnlensError(`extract: the model at ${o.model} records no tokenizer; it must be a token model trained by rnnlens`);
      const member = networkOracle(loaded.model, tokenizer, { alphabet, prefix: o.prefix ?? (tomita ? '^' : '') });
      if (o.property !== undefined) regexToDfa(o.property, alphabet); // a malformed regex fails before the long part
      const r = extractDfa({ alphabet, member, seed: o.seed, maxStates: o.maxStates });
      const property = o.property !== undefined ? checkProperty(r.dfa, o.property, o.propertyKind as PropertyKind, member) : null;
      const dfa = { alphabet: r.dfa.alphabet, states: r.dfa.states, start: r.dfa.start, accepting: r.dfa.accepting, transitions: r.dfa.transitions };
      const result = { dfa, fidelity: r.fidelity, heldOut: r.heldOut, counterexamples: r.counterexamples, membershipQueries: r.membershipQueries, equivalenceQueries: r.equivalenceQueries, stopped: r.stopped, property, dot: renderDot(r.dfa) };
      let runId: string | null = null;
      if (o.record) {
        const store = RunStore.open(o.runsDir);
        try {
          const w = store.createRun({ kind: 'extract', config: { model: o.model, recipe: recipe ?? null, alphabet, prefix: o.prefix ?? (tomita ? '^' : ''), maxStates: o.maxStates, property: o.property ?? null, propertyKind: o.propertyKind }, seed: o.seed, tags: recipe ? [recipe] : [] });
          try {
            w.writeJson('dfa.json', result);
            w.writeText('dfa.dot', result.dot);
            w.writeFigure('fig-dfa.json', { figure: 'dfa-diagram', title: `extracted DFA: ${dfa.states} states, fidelity ${r.fidelity.toFixed(4)}`, data: dfa });
            const metrics: Record<string, number> = { states: dfa.states, fidelity: r.fidelity, counterexamples: r.counterexamples.length };
            if (property) metrics['propertyHolds'] = property.holds ? 1 : 0;
            w.finish('finished', { metrics });
            runId = w.id;
          } catch (err) {
            w.fail(err);
            throw err;
          }
        } finally {
          store.close();
        }
      }
      if (o.json) {
        process.stdout.write(JSON.stringify({ ...result, run: runId }) + '\n');
        return;
      }
      if (runId) process.stdout.write(`recorded run ${runId}\n`);
      process.stdout.write(`extracted a DFA with ${dfa.states} states (fidelity ${r.fidelity.toFixed(4)} on ${r.heldOut} held-out strings; ${r.membershipQueries} membership and ${r.equivalenceQueries} equivalence queries${r.stopped ? `; stopped: ${r.stopped}` : ''})\n`);
      process.stdout.write(`counterexamples: ${r.counterexamples.map((c) => JSON.stringify(c)).join(', ') || 'none'}\n`);
      if (property)
        process.stdout.write(
          property.holds
            ? `property ${o.propertyKind} ${JSON.stringify(o.property)}: holds on the DFA\n`
            : `property ${o.propertyKind} ${JSON.stringify(o.property)}: violated on the DFA by ${JSON.stringify(property.counterexample)}; the network ${property.confirmed ? 'agrees (it accepts it too)' : 'disagrees (it rejects it)'}\n`,
        );
      process.stdout.write(renderDot(r.dfa));
    });
}
