// The dashboard's view of the JSON API (src/server): typed fetches that carry the access token
// from the page address and turn API errors into ApiError with the server's message.
import type { FigureLink } from './link-spec';

export interface RunSummary {
  id: string;
  kind: string;
  status: 'running' | 'finished' | 'failed';
  created: string;
  finished: string | null;
  seed: number | null;
  tags: string[];
  metrics: Record<string, number>;
  error: string | null;
  stale: boolean;
}

export interface RunRecord extends RunSummary {
  config: unknown;
  versions: { rnnlens: string; node: string };
  dataFingerprint: string | null;
}

export interface ArtifactRecord {
  run: string;
  name: string;
  kind: 'json' | 'f32' | 'text' | 'file' | 'figure';
  bytes: number;
  sha256: string;
  meta: Record<string, unknown>;
}

export interface RunDetails {
  run: RunRecord;
  stale: boolean;
  artifacts: ArtifactRecord[];
  series: string[];
  modelConfig: ModelConfig | null;
  hasSequences: boolean;
  /** The most telling final metrics, most telling first (older servers: absent). */
  keyMetrics?: string[];
}

export interface LayerConfig {
  kind: string;
  name?: string;
  units?: number;
  dim?: number;
  vocabSize?: number;
  layer?: LayerConfig;
  [key: string]: unknown;
}

export interface ModelConfig {
  input?: { kind: string; features?: number; vocabSize?: number };
  layers?: LayerConfig[];
  [key: string]: unknown;
}

export interface DashboardFigure {
  key: string;
  group: 'training' | 'distributions' | 'artifacts';
  figure: string;
  title: string;
  spec?: Record<string, unknown>;
  error?: string;
  link: FigureLink;
}

export interface SequenceItem {
  index: number;
  seq: string;
  label?: unknown;
  text?: unknown;
  [key: string]: unknown;
}

export interface Page<T> {
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The token the page was opened with (`?token=`), sent on every API request. */
export function pageToken(): string | null {
  return new URLSearchParams(window.location.search).get('token');
}

export async function api<T>(
  path: string,
  params: Record<string, string | number | undefined> = {},
): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const headers: Record<string, string> = {};
  const token = pageToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`api/${path}${q.size ? `?${q}` : ''}`, { headers });
  } catch (err) {
    throw new ApiError(
      0,
      'network',
      `cannot reach the rnnlens server (${(err as Error).message}); is 'rnnlens serve' still running?`,
    );
  }
  const body = (await res.json().catch(() => null)) as
    ({ error?: { code: string; message: string } } & T) | null;
  if (!res.ok || body === null) {
    throw new ApiError(
      res.status,
      body?.error?.code ?? 'http',
      body?.error?.message ?? `the server answered ${res.status} ${res.statusText}`,
    );
  }
  return body;
}

export function reportUrl(runs: string[]): string {
  const q = new URLSearchParams({ runs: runs.join(',') });
  const token = pageToken();
  if (token) q.set('token', token);
  return `api/report?${q}`;
}

export function artifactUrl(run: string, name: string): string {
  const q = new URLSearchParams({ raw: 'true' });
  const token = pageToken();
  if (token) q.set('token', token);
  return `api/runs/${encodeURIComponent(run)}/artifacts/${encodeURIComponent(name)}?${q}`;
}
