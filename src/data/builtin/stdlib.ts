/** Loads the CommonJS @stdlib dataset packages (they ship no typings) with clear errors. */
import { createRequire } from 'node:module';
import { RnnlensError } from '../../core/errors.js';

const require = createRequire(import.meta.url);

export function loadStdlibDataset<T>(pkg: string): T {
  let fn: unknown;
  try {
    fn = require(pkg);
  } catch (e) {
    throw new RnnlensError(
      `built-in dataset package ${pkg} is not installed or cannot be loaded (${(e as Error).message})`,
    );
  }
  if (typeof fn !== 'function')
    throw new RnnlensError(`built-in dataset package ${pkg} does not export a function`);
  return (fn as () => T)();
}
