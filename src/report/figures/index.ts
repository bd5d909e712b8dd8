/**
 * Every figure by name. Run artifacts of kind 'figure' hold `{ figure: <name>, data, title? }`;
 * `buildFigure` turns one into a Vega-Lite spec with the function registered here.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import type { VegaLiteSpec } from './common.js';
import { certifiedIntervals, type CertifiedIntervalsData } from './certified-intervals.js';
import { confusionMatrix, type ConfusionMatrixData } from './confusion-matrix.js';
import { dfaDiagram, type DfaDiagramData } from './dfa-diagram.js';
import { errorBars, type ErrorBarsData } from './error-bars.js';
import { fixedPoints, type FixedPointsData } from './fixed-points.js';
import { intervention, type InterventionData } from './intervention.js';
import { gradientFlow, type GradientFlowData } from './gradient-flow.js';
import { heatmap, type HeatmapData } from './heatmap.js';
import { histogramOverEpochs, type HistogramOverEpochsData } from './histogram-over-epochs.js';
import { projectionTrajectories, type ProjectionData } from './projection-trajectories.js';
import { reliabilityDiagram, type ReliabilityData } from './reliability-diagram.js';
import { saturationScatter, type SaturationData } from './saturation-scatter.js';
import { tokenAttribution, type TokenAttributionData } from './token-attribution.js';
import { trainingCurves, type TrainingCurvesData } from './training-curves.js';

export interface FigureDataByKind {
  'training-curves': TrainingCurvesData;
  'histogram-over-epochs': HistogramOverEpochsData;
  'confusion-matrix': ConfusionMatrixData;
  'reliability-diagram': ReliabilityData;
  heatmap: HeatmapData;
  'token-attribution': TokenAttributionData;
  'error-bars': ErrorBarsData;
  'saturation-scatter': SaturationData;
  'gradient-flow': GradientFlowData;
  'projection-trajectories': ProjectionData;
  'certified-intervals': CertifiedIntervalsData;
  'dfa-diagram': DfaDiagramData;
  'fixed-points': FixedPointsData;
  intervention: InterventionData;
}

export type FigureKind = keyof FigureDataByKind;

export const FIGURES: { [K in FigureKind]: (data: FigureDataByKind[K]) => VegaLiteSpec } = {
  'training-curves': trainingCurves,
  'histogram-over-epochs': histogramOverEpochs,
  'confusion-matrix': confusionMatrix,
  'reliability-diagram': reliabilityDiagram,
  heatmap,
  'token-attribution': tokenAttribution,
  'error-bars': errorBars,
  'saturation-scatter': saturationScatter,
  'gradient-flow': gradientFlow,
  'projection-trajectories': projectionTrajectories,
  'certified-intervals': certifiedIntervals,
  'dfa-diagram': dfaDiagram,
  'fixed-points': fixedPoints,
  intervention,
};

export const FIGURE_KINDS = Object.keys(FIGURES) as FigureKind[];

/** A figure's spec from its kind and data; a `title` overrides the figure's default title. */
export function buildFigure(figure: string, data: unknown, title?: string): VegaLiteSpec {
  if (!(FIGURE_KINDS as string[]).includes(figure)) {
    throw new ArgumentError(
      'buildFigure',
      'figure',
      `one of ${FIGURE_KINDS.join(', ')}`,
      describe(figure),
    );
  }
  if (!data || typeof data !== 'object')
    throw new ArgumentError('buildFigure', 'data', 'an object', describe(data));
  const fn = FIGURES[figure as FigureKind] as (d: unknown) => VegaLiteSpec;
  return fn(title === undefined ? data : { ...(data as object), title });
}

export type { VegaLiteSpec } from './common.js';
export type {
  CertifiedIntervalsData,
  ConfusionMatrixData,
  ErrorBarsData,
  GradientFlowData,
  HeatmapData,
  HistogramOverEpochsData,
  ProjectionData,
  ReliabilityData,
  SaturationData,
  TokenAttributionData,
  TrainingCurvesData,
};
export {
  certifiedIntervals,
  confusionMatrix,
  errorBars,
  gradientFlow,
  heatmap,
  histogramOverEpochs,
  projectionTrajectories,
  reliabilityDiagram,
  saturationScatter,
  tokenAttribution,
  trainingCurves,
};
