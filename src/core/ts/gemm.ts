/**
 * Reference GEMM: C = alpha · op(A) · op(B) + beta · C, row-major, with offsets and leading
 * dimensions (BLAS sgemm/dgemm semantics, including "beta = 0 ignores C", so NaN garbage in an
 * uninitialised C does not leak). Sums are accumulated in double precision (JavaScript numbers)
 * and rounded once when stored, so the float32 result is the correctly computed product rounded to
 * float32, which makes it a good reference for the SIMD kernels.
 */
import type { GemmArgs } from '../backend.js';
import { ArgumentError, checkInt } from '../errors.js';
import type { FloatArray } from '../tensor.js';

const WHERE = 'gemm';

/** Throws unless `arr` holds a rows×cols block with row stride `ld` starting at `offset`. */
function checkOperand(
  name: string,
  arr: FloatArray,
  offset: number,
  ld: number,
  rows: number,
  cols: number,
): void {
  checkInt(WHERE, `${name}Offset`, offset, 0);
  checkInt(WHERE, `ld${name.toLowerCase()}`, ld, Math.max(1, cols));
  if (rows === 0 || cols === 0) return;
  const needed = offset + (rows - 1) * ld + cols;
  if (arr.length < needed) {
    throw new ArgumentError(
      WHERE,
      name,
      `at least ${needed} values (${rows}×${cols} stored with offset ${offset}, leading dimension ${ld})`,
      `${arr.length} values`,
    );
  }
}

export function gemm(args: GemmArgs): void {
  const { transA, transB, M, N, K, alpha, beta, A, B, C } = args;
  checkInt(WHERE, 'M', M, 0);
  checkInt(WHERE, 'N', N, 0);
  checkInt(WHERE, 'K', K, 0);
  const aOff = args.aOffset ?? 0;
  const bOff = args.bOffset ?? 0;
  const cOff = args.cOffset ?? 0;
  // Stored shapes: A is M×K (or K×M when transposed), B is K×N (or N×K), C is M×N.
  const lda = args.lda ?? (transA ? M : K);
  const ldb = args.ldb ?? (transB ? K : N);
  const ldc = args.ldc ?? N;
  checkOperand('A', A, aOff, lda, transA ? K : M, transA ? M : K);
  checkOperand('B', B, bOff, ldb, transB ? N : K, transB ? K : N);
  checkOperand('C', C, cOff, ldc, M, N);
  if (M === 0 || N === 0) return;

  if (!transB) {
    // Row i of C is a combination of rows of B: acc[j] = Σ_p op(A)[i,p] · B[p,j].
    const acc = new Float64Array(N);
    for (let i = 0; i < M; i++) {
      acc.fill(0);
      for (let p = 0; p < K; p++) {
        const a = transA ? A[aOff + p * lda + i]! : A[aOff + i * lda + p]!;
        if (a === 0) continue;
        const bRow = bOff + p * ldb;
        for (let j = 0; j < N; j++) acc[j]! += a * B[bRow + j]!;
      }
      storeRow(C, cOff + i * ldc, acc, N, alpha, beta);
    }
    return;
  }
  // op(B) = Bᵀ: C[i,j] = Σ_p op(A)[i,p] · B[j,p], a dot product with row j of B.
  const acc = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const bRow = bOff + j * ldb;
      let s = 0;
      if (transA) {
        for (let p = 0; p < K; p++) s += A[aOff + p * lda + i]! * B[bRow + p]!;
      } else {
        const aRow = aOff + i * lda;
        for (let p = 0; p < K; p++) s += A[aRow + p]! * B[bRow + p]!;
      }
      acc[j] = s;
    }
    storeRow(C, cOff + i * ldc, acc, N, alpha, beta);
  }
}

/** C[row + j] = alpha · acc[j] + beta · C[row + j]; beta = 0 overwrites. */
function storeRow(
  C: FloatArray,
  row: number,
  acc: Float64Array,
  N: number,
  alpha: number,
  beta: number,
): void {
  if (beta === 0) {
    for (let j = 0; j < N; j++) C[row + j] = alpha * acc[j]!;
  } else {
    for (let j = 0; j < N; j++) C[row + j] = alpha * acc[j]! + beta * C[row + j]!;
  }
}
