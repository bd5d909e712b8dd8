/**
 * `rnnlens internals --model PATH (--data PATH | --recipe NAME) [--annotate NAME] [--out DIR] [--json]`:
 * looks inside a model on a dataset (structure, traces, gate saturation, meaningful units with
 * permutation p-values, gradient flow and memory, co-clustering, projections) and writes data,
 * SVG and PNG figures into a folder; `--json` prints the summary.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { analyseInternals, internalsSummary } from '../explain/internals/analyse.js';
import { PROJECTION_METHODS, type ProjectionMethod } from '../explain/internals/projections.js';
import { writeTraceStore } from '../explain/internals/trace-store.js';
import { writeInternals } from '../explain/internals/write.js';
import { analysisDataset, loadAnalysisModel } from './analysis-model.js';
import type { LayerDistribution } from '../train/trainer.js';
import { addRecordOptions, recordAnalysis, recordedLine, trainingRunOf } from '../pipeline/analysis-run.js';
import { RunStore } from '../runs/store.js';
import { writeInternalsArtifacts } from '../pipeline/record.js';
import { rangeLabel } from '../explain/internals/align.js';
import { intOption } from './options.js';
import { createProgressRenderer } from './progress.js';

interface InternalsCliOptions {
  model: string;
  data?: string;
  recipe?: string;
  split: string;
  annotate?: string[];
  out: string;
  json?: boolean;
  sequences: number;
  permutations: number;
  seed: number;
  dataSeed?: number;
  projections: string;
  traces?: boolean;
  select?: string;
  png: boolean;
  quiet?: boolean;
  distributions?: string;
  runsDir: string;
  record: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/**
 * Training distributions: an explicit file, the checkpoint's state, a distributions.json beside
 * the model (or in the run folder above it), or the one the model's training run recorded.
 */
function trainingDistributions(
  model: string,
  file: string | undefined,
  fromState: LayerDistribution[] | undefined,
  runsDir: string,
): LayerDistribution[] | undefined {
  const read = (path: string): LayerDistribution[] => {
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new RnnlensError(`internals: --distributions: cannot read ${path}: ${(e as Error).message}`);
    }
    if (!Array.isArray(v) || !v.every((d) => d && typeof d === 'object' && typeof d.layer === 'string' && typeof d.epoch === 'number'))
      throw new RnnlensError(
        `internals: --distributions expected a JSON array of the trainer's layer distributions ({ epoch, layer, weights, gradients, ... }), received something else in ${path}`,
      );
    return v as LayerDistribution[];
  };
  if (file) return read(file);
  if (fromState && fromState.length > 0) return fromState;
  const dir = statSync(model, { throwIfNoEntry: false })?.isDirectory() ? model : dirname(model);
  const candidates = [join(dir, 'distributions.json'), join(dir, '..', 'distributions.json')];
  // a model trained with --out elsewhere: the distributions its training run recorded
  if (RunStore.exists(runsDir)) {
    const store = RunStore.open(runsDir);
    try {
      const run = trainingRunOf(store, model);
      if (run) candidates.push(join(store.runDir(run), 'distributions.json'));
    } finally {
      store.close();
    }
  }
  for (const p of candidates) if (existsSync(p)) return read(p);
  return undefined;
}

export function register(program: Command): void {
  addRecordOptions(program
    .command('internals')
    .description(
      'look inside a model: structure, traces, gate saturation, meaningful units, gradient flow, projections',
    )
    .requiredOption('--model <path>', 'model: a native folder, .onnx, .keras / .h5 or TF.js model.json')
    .option('--data <path>', "data folder or file for the recipe; for a model without a recipe, a JSON file of sequences (predict's input file, optional \"labels\" / \"values\")")
    .option(
      '--recipe <name>',
      'recipe whose data to use (default: the recipe recorded in the model)',
    )
    .option('--split <name>', 'which part of the recipe data: train, validation or test', 'test')
    .option(
      '--annotate <name>',
      'annotation to rank units by (repeatable or comma-separated): quotes, line-position, bracket-depth, char-class, token, tags',
      collect,
    )
    .option('--out <dir>', 'folder for data and figures', 'internals')
    .option('--json', 'print the summary as JSON')
    .option('--sequences <n>', 'sequences analysed', intOption('--sequences'), 200)
    .option(
      '--permutations <n>',
      'permutations per p-value',
      intOption('--permutations', true),
      199,
    )
    .option('--seed <n>', 'seed of permutations and projections', intOption('--seed', true), 0)
    .option(
      '--data-seed <n>',
      "seed of the recipe's data split (default: the model's recorded seed, else the recipe's)",
      intOption('--data-seed', true),
    )
    .option(
      '--projections <list>',
      `comma-separated projection methods (${PROJECTION_METHODS.join(', ')}) or none`,
      'pca,umap,tsne',
    )
    .option(
      '--select <seq:start-end>',
      'LSTMVis select (threshold 0.3) on a span of a sequence, and its best matches',
    )
    .option(
      '--distributions <file>',
      "the trainer's per-layer distributions for the training-dynamics figures (default: the model's checkpoint state, else distributions.json in the model folder or the run folder above it)",
    )
    .option('--traces', 'also write the per-step trace store into OUT/traces')
    .option('--no-png', 'SVG figures only')
    .option('--quiet', 'no progress output'), 'internals')
    .action(async (o: InternalsCliOptions) => {
      const loaded = await loadAnalysisModel(o.model);
      if (!['train', 'validation', 'test'].includes(o.split))
        throw new RnnlensError(
          `internals: --split expected train, validation or test, received ${JSON.stringify(o.split)}`,
        );
      const projections =
        o.projections === 'none' ? [] : o.projections.split(',').map((s) => s.trim());
      for (const p of projections)
        if (!PROJECTION_METHODS.includes(p as ProjectionMethod))
          throw new RnnlensError(
            `internals: --projections expected some of ${PROJECTION_METHODS.join(', ')} or none, received ${JSON.stringify(p)}`,
          );
      let select: { sequence: number; start: number; end: number } | undefined;
      if (o.select) {
        const mt = /^(\d+):(\d+)-(\d+)$/.exec(o.select);
        if (!mt)
          throw new RnnlensError(
            `internals: --select expected SEQ:START-END (e.g. 3:10-15), received ${JSON.stringify(o.select)}`,
          );
        select = { sequence: Number(mt[1]), start: Number(mt[2]), end: Number(mt[3]) };
      }
      const progress = createProgressRenderer({ quiet: o.quiet || o.json });
      try {
        const { ds, recipe: recipeName, seed } = analysisDataset('internals', o.model, loaded, { ...o, onProgress: progress.callback });
        const r = analyseInternals(loaded.model, ds, {
          maxSequences: o.sequences,
          annotate: o.annotate,
          permutations: o.permutations,
          seed: o.seed,
          projections: projections as ProjectionMethod[],
          distributions: trainingDistributions(o.model, o.distributions, loaded.distributions, o.runsDir),
          select,
          onProgress: progress.callback,
        });
        const files = await writeInternals(r, o.out, { png: o.png, onProgress: progress.callback });
        if (o.traces)
          writeTraceStore(loaded.model, ds, join(o.out, 'traces'), {
            sequences: Int32Array.from(r.indices),
            onProgress: progress.callback,
          });
        progress.stop();
        const config = { recipe: recipeName ?? null, data: recipeName ? null : o.data, split: o.split, sequences: o.sequences, permutations: o.permutations, projections, annotate: o.annotate ?? null, dataSeed: seed, select: o.select ?? null, dataset: ds.name };
        const run = await recordAnalysis(o, o.model, { kind: 'internals', config, seed: o.seed, tags: [recipeName ?? loaded.format] }, (w) => {
          writeInternalsArtifacts(w, r, ds);
          const metrics: Record<string, number> = { sequences: r.sequences, steps: r.steps };
          const best = r.bestUnits[0];
          if (best) metrics.bestUnitR = Math.abs(best.r);
          return metrics;
        });
        if (o.json) {
          process.stdout.write(JSON.stringify({ ...internalsSummary(r), ...(run.id ? { run: run.id } : {}) }) + '\n');
          return;
        }
        process.stdout.write(
          `analysed ${r.sequences} sequences (${r.steps} steps) of ${ds.name}; wrote ${files.length} files to ${o.out}\n`,
        );
        for (const a of r.alignment ?? [])
          process.stdout.write(`  ${a.inputSteps} input steps → ${a.steps} recurrent steps reading ${a.ranges.map(([x, y]) => rangeLabel(x, y)).join(', ')}\n`);
        for (const u of r.bestUnits)
          process.stdout.write(
            `  ${u.annotation.padEnd(22)} ${u.layer} ${u.field}[${u.unit}]  r=${u.r.toFixed(3)}  MI=${u.mi.toFixed(3)}  p=${u.p?.toFixed(3) ?? '-'}\n`,
          );
        for (const m of r.gradientFlow.memory)
          process.stdout.write(
            `  memory ${m.layer}: effective length ${m.effectiveLength ?? `> ${m.retained.length - 1}`} steps (${m.gate} gate product)\n`,
          );
        if (r.selection) {
          const { selection: sel, matches } = r.selection;
          process.stdout.write(
            `  select ${r.selection.layer} sequence ${sel.sequence} [${sel.start}, ${sel.end}): units ${sel.units.join(', ') || 'none'} on; best matches: ${
              matches
                .slice(0, 5)
                .map((m) => `${m.sequence}:${m.start}-${m.end} (${m.score})`)
                .join(', ') || 'none'
            }\n`,
          );
        }
        if (r.gradientFlow.firstStep.flagged)
          process.stdout.write(
            `  warning: first-step attribution spike (ratio ${r.gradientFlow.firstStep.meanRatio.toFixed(2)})\n`,
          );
        process.stdout.write(recordedLine(run));
      } finally {
        progress.stop();
      }
    });
}
