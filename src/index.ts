/** rnnlens: the library's public API (explicit re-exports only). */
export { VERSION } from './version.js';

// core
export { Tensor, allocFloat, sizeOf, dtypeOf } from './core/tensor.js';
export type { DType, FloatArray } from './core/tensor.js';
export { Rng } from './core/rng.js';
export { RnnlensError, ArgumentError } from './core/errors.js';
export type { Parameter } from './core/parameter.js';
export type { Progress, ProgressCallback } from './core/progress.js';
export { gateCount } from './core/backend.js';
export type {
  Backend,
  CellKind,
  CellSpec,
  GemmArgs,
  SequenceForwardArgs,
  SequenceForwardResult,
  SequenceBackwardArgs,
  SequenceBackwardResult,
  SequenceGrads,
} from './core/backend.js';
export { createTsBackend } from './core/ts-backend.js';
export { createWasmBackend } from './core/wasm-backend.js';
export { getBackend, setDefaultBackend, defaultBackendName } from './core/backends.js';
export type { BackendName } from './core/backends.js';

// layers and models
export { SequenceModel } from './nn/model.js';
export type { ModelInput, ModelOptions, ModelForwardOptions, ModelForwardResult, ModelBackwardOptions, ModelBackwardResult } from './nn/model.js';
export { layerFromConfig } from './nn/from-config.js';
export { isSeqBatch, isTokenBatch } from './nn/layer.js';
export type { Layer, LayerKind, SeqBatch, TokenBatch, Flow, Direction, DirectionTrace, StepGrad, InitialStateGrad, RecurrentState, DirectionInjection } from './nn/layer.js';
export type { ModelConfig, LayerConfig, RecurrentConfig, DenseConfig, EmbeddingConfig, BidirectionalConfig, DropoutConfig, HeadConfig } from './nn/config.js';
export { parameterNames, toTorchState, loadTorchState, toKerasWeights, loadKerasWeights } from './nn/names.js';

// data
export { createDataset, validateDataset, subset, classCounts } from './data/dataset.js';
export type { Dataset, Item, InputKind, TargetKind } from './data/dataset.js';
export { makeBatches, collate, TAG_PAD } from './data/batching.js';
export type { Batch, BatchOptions } from './data/batching.js';
export { splitDataset, splitBy } from './data/split.js';
export { fitZScore, applyZScore } from './data/normalise.js';
export { Tokenizer, PAD_ID, UNK_ID } from './data/tokenizer.js';
export { parseCsv } from './data/csv.js';
export { loadTextCsv, loadTextJsonl, loadTextFolders, textClassificationDataset, textClassificationSplits } from './data/text-loaders.js';
export type { TextRecord } from './data/text-loaders.js';
export { loadNumericCsv, windowSeries } from './data/timeseries.js';
export { readWav, decodeWav, encodeWav16 } from './data/wav.js';
export { audioFeatures } from './data/audio-features.js';
export { loadAudioFolder, fsddUsualSplit } from './data/audio-loader.js';
export { spamAssassinRecords } from './data/builtin/spam.js';
export { mobyDickSplits } from './data/builtin/moby-dick.js';
export { sensorDataset } from './data/builtin/sensor.js';
export { motifDataset } from './data/synthetic/motif.js';
export { addingDataset } from './data/synthetic/adding.js';
export { bracketDataset, bracketDepths } from './data/synthetic/brackets.js';
export { ismailDataset } from './data/synthetic/ismail.js';

// training
export { crossEntropy, sequenceCrossEntropy, binaryCrossEntropy, mse, mae, huber, softmax, logSoftmax } from './train/losses/index.js';
export { Optimizer, Sgd, Adam, AdamW, Rmsprop, createOptimizer } from './train/optimizers/index.js';
export { LrSchedule, createSchedule } from './train/schedules.js';
export { clipGradNorm, clipGradValue, gradNorm } from './train/clip.js';
export { EarlyStopping } from './train/early-stopping.js';
export { train } from './train/trainer.js';
export type { TrainConfig, TrainResult, TrainState, EpochRecord, LayerDistribution } from './train/trainer.js';
export { evaluate } from './train/evaluate.js';
export { saveModel, loadModel } from './train/checkpoint.js';
export { RECIPES, getRecipe, buildModelConfig } from './train/recipes.js';
export { runRecipe } from './train/run-recipe.js';
export type { TaskKind } from './train/tasks.js';

// interop and prediction
export { loadAnyModel } from './predict/load.js';
export { parseModelInput, readInputFile } from './predict/input-file.js';
export { predictOutputs } from './predict/predict.js';
export { generateText } from './predict/generate.js';
export { importOnnx } from './io/onnx/import.js';
export { loadTfjs } from './io/tfjs/load.js';
export { writeTfjs } from './io/tfjs/write.js';
export { loadModelAsync } from './io/load.js';
export { scoreClassifier, scoreRegressor, compareClassifiers, compareRegressors } from './verify/evaluate-model.js';

// explaining
export { attribute, registerMethod, getMethod, listMethods, toNested } from './explain/attribute.js';
export type { AttributeOptions, AttributionResult, AttributionMap, AttributionMethod, Target, Baseline } from './explain/types.js';
export { hiddenStateAttribution } from './explain/layer/hidden.js';
export { layerAttribution } from './explain/layer/layer-attribution.js';
export { neuronAttribution } from './explain/layer/neuron.js';
export { gateContributions } from './explain/layer/gates.js';
export { analyseInternals } from './explain/internals/analyse.js';

// verifying
export { classificationReport } from './verify/metrics/report.js';
export { accuracy, balancedAccuracy, confusionMatrix, precisionRecallF1 } from './verify/metrics/classification.js';
export { rocAuc, averagePrecision } from './verify/metrics/ranking.js';
export { kFold, stratifiedKFold, repeatedStratifiedKFold, groupKFold, leaveOneGroupOut, timeSeriesSplit, shuffleSplit } from './verify/splitters.js';
export { bootstrapCI } from './verify/stats/bootstrap.js';
export { permutationTest } from './verify/stats/permutation.js';
export { mcnemarTest, fiveByTwoCvTTest, correctedResampledTTest } from './verify/stats/comparisons.js';
export { fitRandomForest } from './verify/baselines/forest.js';
export { fitSurrogate } from './verify/surrogates.js';
export { certify } from './verify/certify/certify.js';
export { audit } from './verify/certify/audit.js';
export { certifiedRadius, certifiedAccuracy } from './verify/certify/radius.js';

// runs and report
export { RunStore } from './runs/store.js';
export { buildReport } from './report/build-report.js';
export { buildFigure, renderSvg, renderPng } from './report/index.js';

// automata
export { minimise, distinguish, equivalent, renderDot, type Dfa } from './automata/dfa.js';
export { regexToDfa } from './automata/regex.js';
export { lstar } from './automata/lstar.js';
export { extractDfa, networkOracle } from './automata/extract.js';
export { checkProperty } from './automata/property.js';
// dynamics, probes and causal unit tests
export { analyseDynamics, detectLineAttractor, type DynamicsResult } from './dynamics/analyse.js';
export { findFixedPoints, analysePoint, type FoundPoint } from './dynamics/fixed-points.js';
export { cellMap, layerWeights, type CellMap } from './dynamics/cell-map.js';
export { runProbes, annotationByName, stepTypes, type ProbeResult } from './probe/probe.js';
export { fitLogistic, fitMlp, lbfgs } from './probe/classifiers.js';
export { intervene, type InterveneResult, type InterventionSpec } from './causal/intervene.js';
export { runSweep, parseSearchSpace, generatePoints, type SweepResult, type SweepPointResult } from './verify/sweep.js';
export { LocalExecutor, openExecutor, parseExecutor, type Executor, type Batch as JobBatch } from './distributed/executor.js';
export { RedisExecutor, queueStatus } from './distributed/redis.js';
export { startJobWorker, type WorkerOptions } from './distributed/worker.js';
// speech synthesis
export { stft, istft, magnitude } from './speech/stft.js';
export { logMel, invertLogMel, melFilterBank, SPEECH_MEL, type MelSettings, type LogMel } from './speech/mel.js';
export { griffinLim, spectralConvergence } from './speech/griffin-lim.js';
export { melToWaveform } from './speech/vocoder.js';
export { TtsModel, type TtsConfig } from './speech/acoustic-model.js';
export { generate as generateSpeech } from './speech/generate.js';
export { synthesizeFiles } from './speech/synthesize.js';
export { loadTtsModel, saveTtsModel } from './speech/tts-io.js';
export { runTtsRecipe } from './speech/tts-train.js';
export { verifyTts, type TtsVerification } from './speech/verify-tts.js';
export { attributeConditioning, unitVarianceSplit } from './speech/interpret.js';
export { mcdDtw, melCepstrum, maxNormalisedCrossCorrelation } from './speech/metrics.js';
export { wilsonInterval } from './verify/stats/proportion.js';
