/**
 * Which backend computes: a registry of the available backends by name, one cached instance each,
 * and the default ('wasm' when its kernels load, else the float32 TypeScript backend).
 */
import type { Backend } from './backend.js';
import { ArgumentError, RnnlensError, describe } from './errors.js';
import { createTsBackend } from './ts-backend.js';
import { createWasmBackend } from './wasm-backend.js';

export type BackendName = 'wasm' | 'ts' | 'ts64';

const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'ts', 'ts64'];

/** The SIMD backend; throws (RnnlensError) when its kernels cannot be loaded. */
function loadWasm(): Backend {
  try {
    return createWasmBackend();
  } catch (e) {
    if (e instanceof RnnlensError) throw e;
    throw new RnnlensError(
      `backend wasm: could not load its kernels (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

const factories: Record<BackendName, () => Backend> = {
  wasm: loadWasm,
  ts: () => createTsBackend('float32'),
  ts64: () => createTsBackend('float64'),
};

const instances = new Map<BackendName, Backend>();
let defaultName: BackendName | null = null;

function checkName(where: string, name: unknown): BackendName {
  if (!BACKEND_NAMES.includes(name as BackendName)) {
    throw new ArgumentError(
      where,
      'name',
      `one of ${BACKEND_NAMES.map((n) => `'${n}'`).join(', ')}`,
      describe(name),
    );
  }
  return name as BackendName;
}

function instance(name: BackendName): Backend {
  let b = instances.get(name);
  if (!b) {
    b = factories[name]();
    instances.set(name, b);
  }
  return b;
}

/** The one place that decides the default: 'wasm' when it loads, else 'ts'. */
function chooseDefault(): BackendName {
  try {
    instance('wasm');
    return 'wasm';
  } catch {
    return 'ts';
  }
}

/** The backend called `name`, or the default backend. */
export function getBackend(name?: BackendName): Backend {
  if (name === undefined) {
    if (defaultName === null) defaultName = chooseDefault();
    return instance(defaultName);
  }
  return instance(checkName('getBackend', name));
}

/** Makes `name` the default for getBackend() (loads it now, so a failure shows here). */
export function setDefaultBackend(name: BackendName): void {
  const checked = checkName('setDefaultBackend', name);
  instance(checked);
  defaultName = checked;
}

/** The name getBackend() without an argument resolves to. */
export function defaultBackendName(): BackendName {
  if (defaultName === null) defaultName = chooseDefault();
  return defaultName;
}
