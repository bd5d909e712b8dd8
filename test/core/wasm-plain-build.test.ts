/**
 * The plain f32x4 kernel build (build/kernels.wasm, no relaxed-SIMD fused multiply-adds) through
 * the whole shared suite, including the hard-sigmoid gate variants. The other wasm tests run the
 * relaxed build when the runtime supports it; the environment variable must be set before the
 * kernel module is first compiled, hence the dynamic import.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { backendSuite } from './backend-suite.js';

process.env.RNNLENS_WASM_RELAXED = '0';
const { createWasmBackend } = await import('../../src/core/wasm-backend.js');
const wasm = createWasmBackend({ threads: 1 });
after(() => wasm.close());

test('the plain build is the one in use', () => {
  assert.equal(wasm.kernels, 'simd');
});
backendSuite('wasm plain build', () => wasm, { rtol: 1e-5 });
