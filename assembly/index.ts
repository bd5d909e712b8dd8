// rnnlens WebAssembly kernels (f32x4 SIMD). The host (src/core/wasm-backend.ts) owns the shared
// memory and passes byte offsets; nothing here allocates or keeps static data.
export { gemm, gemm_work_size, pack_b, packed_b_size, scale_c } from './gemm';
export { gemm_acc_packed, gemm_step, pack_b_stacked } from './gemm-step';
export { sigmoid_array, tanh_array } from './activations';
export { sum, sum_squares, col_sums } from './reduce';
export { lstm_forward, lstm_backward } from './lstm';
export { gru_forward, gru_backward, gru_rb_forward, gru_rb_backward } from './gru';
export { rnn_forward, rnn_backward } from './rnn';
