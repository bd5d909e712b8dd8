/** Losses: each returns { loss, grad } with grad w.r.t. the logits/predictions. */
export { softmax, logSoftmax, logSumExp } from './softmax.js';
export { crossEntropy, type CrossEntropyOptions } from './cross-entropy.js';
export {
  sequenceCrossEntropy,
  type SequenceCrossEntropyOptions,
} from './sequence-cross-entropy.js';
export { binaryCrossEntropy, type BinaryCrossEntropyOptions } from './binary-cross-entropy.js';
export { mse, mae, huber, type RegressionLossOptions, type HuberOptions } from './regression.js';
export type { LossResult, Reduction } from './types.js';
