/** A plain-data summary of a dataset (sizes, lengths, class balance) for reports and the CLI. */
import { classCounts, type Dataset } from './dataset.js';

export interface DatasetSummary {
  name: string;
  items: number;
  input: Dataset['input'];
  features: number;
  vocabSize: number | null;
  target: Dataset['target'];
  steps: { min: number; max: number; mean: number; total: number };
  /** class name -> count, for 'class' targets */
  classes: Record<string, number> | null;
}

export function summarizeDataset(ds: Dataset): DatasetSummary {
  let min = Infinity;
  let max = 0;
  let total = 0;
  for (const it of ds.items) {
    min = Math.min(min, it.steps);
    max = Math.max(max, it.steps);
    total += it.steps;
  }
  const n = ds.items.length;
  let classes: Record<string, number> | null = null;
  if (ds.target === 'class') {
    classes = {};
    classCounts(ds).forEach((c, k) => (classes![ds.classNames?.[k] ?? String(k)] = c));
  }
  return {
    name: ds.name,
    items: n,
    input: ds.input,
    features: ds.features,
    vocabSize: ds.vocabSize ?? null,
    target: ds.target,
    steps: { min: n ? min : 0, max, mean: n ? total / n : 0, total },
    classes,
  };
}
