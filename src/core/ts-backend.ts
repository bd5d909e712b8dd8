/**
 * The pure-TypeScript reference backend, float32 or float64. Plain loops, no SIMD: the yardstick
 * the wasm backend is tested against and the float64 engine for gradient checks and certification.
 * The kernels live in src/core/ts/ (gemm, activations, one file per cell kind, the two sequence
 * drivers).
 */
import type { Backend } from './backend.js';
import { ArgumentError, checkInt, describe } from './errors.js';
import type { DType, FloatArray } from './tensor.js';
import { allocFloat } from './tensor.js';
import { addColumnSums, sigmoidArray, sum, sumSquares, tanhArray } from './ts/activations.js';
import { gemm } from './ts/gemm.js';
import { sequenceBackward } from './ts/sequence-backward.js';
import { sequenceForward } from './ts/sequence-forward.js';

function checkSameLength(where: string, x: FloatArray, out: FloatArray): void {
  if (!ArrayBuffer.isView(x))
    throw new ArgumentError(where, 'x', 'a Float32Array or Float64Array', describe(x));
  if (!out || out.length !== x.length) {
    throw new ArgumentError(
      where,
      'out',
      `${x.length} values (the length of x)`,
      out ? `${out.length} values` : describe(out),
    );
  }
}

export function createTsBackend(dtype: DType): Backend {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ArgumentError('createTsBackend', 'dtype', "'float32' or 'float64'", describe(dtype));
  }
  return {
    name: 'ts',
    dtype,
    alloc: (n) => {
      checkInt('ts.alloc', 'n', n, 0);
      return allocFloat(dtype, n);
    },
    gemm,
    sigmoid: (x, out) => {
      checkSameLength('ts.sigmoid', x, out);
      sigmoidArray(x, out);
    },
    tanh: (x, out) => {
      checkSameLength('ts.tanh', x, out);
      tanhArray(x, out);
    },
    sum,
    sumSquares,
    addColumnSums: (A, rows, cols, out) => {
      checkInt('ts.addColumnSums', 'rows', rows, 0);
      checkInt('ts.addColumnSums', 'cols', cols, 0);
      if (!A || A.length < rows * cols) {
        throw new ArgumentError(
          'ts.addColumnSums',
          'A',
          `at least ${rows * cols} values ([rows=${rows}, cols=${cols}])`,
          A ? `${A.length} values` : describe(A),
        );
      }
      if (!out || out.length !== cols) {
        throw new ArgumentError(
          'ts.addColumnSums',
          'out',
          `${cols} values ([cols=${cols}])`,
          out ? `${out.length} values` : describe(out),
        );
      }
      addColumnSums(A, rows, cols, out);
    },
    sequenceForward: (args) => sequenceForward(dtype, args),
    sequenceBackward: (args) => sequenceBackward(dtype, args),
  };
}
