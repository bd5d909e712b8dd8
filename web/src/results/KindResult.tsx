// The per-kind result a run's overview leads with, read from the run's own artifact: certify,
// evaluate, cv, compare, verify and explain-bench runs; other kinds show nothing here.
import type { JSX } from 'react';
import type { ResultProps } from './common';
import { BenchResult } from './BenchResult';
import { CertifyResult } from './CertifyResult';
import { CompareResult, CvResult } from './CvCompareResult';
import { EvaluateResult } from './EvaluateResult';
import { VerifyResult } from './VerifyResult';
import './results.css';

const VIEWS: Record<string, (p: ResultProps) => JSX.Element | null> = {
  certify: CertifyResult,
  evaluate: EvaluateResult,
  cv: CvResult,
  compare: CompareResult,
  verify: VerifyResult,
  'explain-bench': BenchResult,
};

/** Whether runs of this kind have a result view of their own. */
export const hasKindResult = (kind: string): boolean => kind in VIEWS;

export function KindResult({ d }: ResultProps) {
  const View = VIEWS[d.run.kind];
  return View ? <View d={d} /> : null;
}
