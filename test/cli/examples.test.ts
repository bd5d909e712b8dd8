// The input files under examples/ (used by the README's quick start) parse for their recipe's model.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { buildModelConfig, getRecipe } from '../../src/train/recipes.js';
import { parseModelInput, readInputFile } from '../../src/predict/input-file.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

for (const name of ['spam', 'motif', 'adding', 'brackets', 'tomita3']) {
  it(`examples/${name}.json is a valid input for the ${name} recipe's model`, () => {
    const r = getRecipe(name);
    const data = r.load({ seed: 0 });
    const cfg = buildModelConfig(r.model, data.train, data.task);
    const x = parseModelInput(readInputFile(join(EXAMPLES, `${name}.json`)), cfg.input, data.preprocessing);
    assert.equal(x.batch, 4);
    assert.ok(x.steps > 0);
  });
}
