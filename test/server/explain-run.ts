// A real training run for the Explain tests: the spam recipe (word tokens, saved tokenizer) with
// a tiny LSTM trained for one epoch, recorded in the given run store.
import { RunStore } from '../../src/runs/store.js';
import { runRecipe } from '../../src/train/run-recipe.js';

export async function trainSpamRun(store: RunStore): Promise<{ id: string; modelDir: string }> {
  const r = await runRecipe('spam', { epochs: 1, hidden: 4, seed: 0, config: { model: { embedding: 4 } } }, { store });
  return { id: r.runId!, modelDir: r.modelDir };
}

/** A numeric model: the adding recipe (2 features, 40 steps, regression), one epoch. */
export async function trainAddingRun(store: RunStore): Promise<{ id: string; modelDir: string }> {
  const r = await runRecipe('adding', { epochs: 1, hidden: 4, seed: 0, cell: 'gru' }, { store });
  return { id: r.runId!, modelDir: r.modelDir };
}
