// Per-step pieces shared by the recurrent kernels.
import { gemm_acc_packed } from './gemm';
import { D_B, D_BIASX, D_D, D_G, D_WP, D_X, copy4, field, ptr, rowAt } from './desc';

/** G[t, b0:b1] = biasx + x[t, b0:b1] · W (the input projection of one step, rows of one thread). */
export function projectInputs(desc: usize, t: i32, b0: i32, b1: i32, GH: i32, work: usize): void {
  const B = field(desc, D_B);
  const D = field(desc, D_D);
  const pG = ptr(desc, D_G);
  const bias = ptr(desc, D_BIASX);
  for (let b = b0; b < b1; b++) copy4(rowAt(pG, t, B, b, GH), bias, GH);
  gemm_acc_packed(b1 - b0, GH, D, rowAt(ptr(desc, D_X), t, B, b0, D), D, ptr(desc, D_WP), rowAt(pG, t, B, b0, GH), GH, work);
}
