// Reductions. Sums accumulate in f64 lanes so long vectors do not lose float32 precision.

/** Σ x[i] over n floats. */
export function sum(px: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(px + ((<usize>i) << 2));
    acc0 = f64x2.add(acc0, f64x2.promote_low_f32x4(v));
    acc1 = f64x2.add(acc1, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  }
  const s = f64x2.add(acc0, acc1);
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) total += <f64>load<f32>(px + ((<usize>i) << 2));
  return total;
}

/** Σ x[i]² over n floats. */
export function sum_squares(px: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(px + ((<usize>i) << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
    acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
  }
  const s = f64x2.add(acc0, acc1);
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(px + ((<usize>i) << 2));
    total += v * v;
  }
  return total;
}

/**
 * out[j] += Σ_i A[i, j] for j in [n0, n1), A with `rows` rows and row stride ld.
 * Walks A row by row (contiguous loads) and adds each row into `out`, so a tall matrix streams
 * through the cache once instead of being read down its columns.
 */
export function col_sums(pA: usize, rows: i32, ld: i32, n0: i32, n1: i32, pOut: usize): void {
  const nv = n0 + ((n1 - n0) & ~3);
  for (let i = 0; i < rows; i++) {
    const row = pA + ((<usize>(i * ld)) << 2);
    for (let j = n0; j < nv; j += 4) {
      const o = (<usize>j) << 2;
      v128.store(pOut + o, f32x4.add(v128.load(pOut + o), v128.load(row + o)));
    }
    for (let j = nv; j < n1; j++) {
      const o = (<usize>j) << 2;
      store<f32>(pOut + o, load<f32>(pOut + o) + load<f32>(row + o));
    }
  }
}
