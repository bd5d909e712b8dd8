// The Explain page's view of the API: recorded models, attribution methods with their
// parameters, dataset items and POST api/explain (with the page's access token).
import { ApiError, pageToken } from './api';

export type ModelInputInfo =
  | { kind: 'tokens'; vocabSize: number; text: boolean; maxLength: number | null }
  | { kind: 'numeric'; features: number; typicalLength: number | null };

export interface ModelEntry {
  run: string;
  created: string;
  recipe: string | null;
  task: string | null;
  cell: string | null;
  input: ModelInputInfo;
  classNames: string[] | null;
  outputs: number | null;
}

export interface MethodParamInfo {
  name: string;
  flag: string;
  type: 'integer' | 'number' | 'steps-by-features' | 'baseline';
  min?: number;
  max?: number;
  default: number | string | null;
  description: string;
}

export interface MethodInfo {
  name: string;
  family: string;
  inputKinds: ('numeric' | 'tokens')[];
  completeness: boolean;
  params: MethodParamInfo[];
}

export interface ExplainLimits {
  maxSteps: number;
  maxTextChars: number;
  maxValues: number;
  maxItems: number;
}

export interface ItemEntry {
  index: number;
  steps: number;
  label: number | null;
  labelName: string | null;
  preview: string;
}

export interface ItemsPage {
  run: string;
  split: string;
  total: number;
  items: ItemEntry[];
}

export type ExplainInput =
  | { text: string }
  | { tokens: number[] }
  | { rows: number[][] }
  | { item: number; split: string };

export interface ExplainBody {
  run: string;
  method: string;
  input: ExplainInput;
  params: Record<string, number | string>;
  target?: number | string;
}

export interface ExplainResult {
  run: string;
  method: string;
  input: {
    kind: 'tokens' | 'numeric';
    steps: number;
    features: number;
    tokens?: string[];
    label?: number | null;
    labelName?: string | null;
  };
  target: { index: number; name: string | null };
  output: number;
  prediction: {
    task: string | null;
    classNames: string[] | null;
    outputs: number[] | number[][];
    predicted?: { index: number; name: string; probability: number };
  };
  attribution: { steps: number[]; features?: number[][] };
  completenessGap: number | null;
  elapsedMs: number;
}

export async function postExplain(body: ExplainBody): Promise<ExplainResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = pageToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch('api/explain', { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'network', `cannot reach the rnnlens server (${(err as Error).message}); is 'rnnlens serve' still running?`);
  }
  const json = (await res.json().catch(() => null)) as
    | ({ error?: { code: string; message: string } } & ExplainResult)
    | null;
  if (!res.ok || json === null)
    throw new ApiError(res.status, json?.error?.code ?? 'http', json?.error?.message ?? `the server answered ${res.status} ${res.statusText}`);
  return json;
}
