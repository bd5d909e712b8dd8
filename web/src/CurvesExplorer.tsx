// Training curves of one or more runs, TensorBoard style: every series of every metric
// (train, validation, per-step loss), a smoothing slider (debiased exponential moving average,
// the raw curve faint behind), log scale, x axis step / epoch / relative wall time, zoom (drag,
// wheel; double-click resets). While a run is being written it polls the API and redraws.
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError } from './api';
import { ErrorBox, Loading } from './ErrorBox';
import { AXIS_TITLES, commonAxes, curveSpec, metricsOf, type CurveAxis, type RunSeries } from './curves-spec';
import { VegaFigure } from './VegaFigure';

const POLL_MS = 3000;

export function CurvesExplorer({ runs, onFinished }: { runs: string[]; onFinished?: () => void }) {
  const [data, setData] = useState<RunSeries[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const [smoothing, setSmoothing] = useState(0.6);
  const [log, setLog] = useState(false);
  const [axis, setAxis] = useState<CurveAxis | null>(null);
  const key = runs.join(',');
  useEffect(() => {
    let cancelled = false;
    Promise.all(runs.map((id) => api<RunSeries>(`runs/${encodeURIComponent(id)}/series`))).then(
      (d) => !cancelled && (setData(d), setError(null)),
      (e: unknown) => !cancelled && setError(e instanceof ApiError ? e : new ApiError(0, 'client', String(e))),
    );
    return () => {
      cancelled = true;
    };
  }, [key, tick]);
  const live = data?.some((r) => r.status === 'running' && !r.stale) ?? false;
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setTick((x) => x + 1), POLL_MS);
    return () => clearInterval(t);
  }, [live]);
  const [wasLive, setWasLive] = useState(false);
  useEffect(() => {
    if (live) setWasLive(true);
    else if (wasLive && data) (setWasLive(false), onFinished?.());
  }, [live, wasLive, data, onFinished]);
  // redraw only when the series changed, not on every poll
  const text = data ? JSON.stringify(data) : '';
  const series = useMemo(() => (text ? (JSON.parse(text) as RunSeries[]) : null), [text]);
  const axes = series ? commonAxes(series) : [];
  const x: CurveAxis = axis && axes.includes(axis) ? axis : (axes[0] ?? 'epoch');
  const specs = useMemo(
    () =>
      series
        ? metricsOf(series).map((m) => ({ m, spec: curveSpec(series, m, { axis: x, smoothing, log }) }))
        : [],
    [series, x, smoothing, log],
  );
  if (error) return <ErrorBox error={error} what="the training curves" />;
  if (!series) return <Loading what="the training curves" />;
  const running = series.filter((r) => r.status === 'running');
  return (
    <div className="curves" data-axis={x} data-log={log ? 'true' : 'false'} data-smoothing={smoothing}>
      {running.length > 0 && (
        <div className="notice" role="status" data-error-code="run_in_progress">
          <strong>Run still being written</strong>
          <p>
            {running.every((r) => r.stale)
              ? 'Its writer process is gone without finishing it; what it logged is shown below.'
              : 'Its figures and artifacts can be read once it has finished; the curves below update every few seconds.'}
          </p>
        </div>
      )}
      <div className="curve-controls">
        <label>
          smoothing
          <input
            type="range"
            name="smoothing"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onChange={(e) => setSmoothing(Number(e.target.value))}
          />
          <output>{smoothing.toFixed(2)}</output>
        </label>
        <label>
          <input type="checkbox" name="log" checked={log} onChange={(e) => setLog(e.target.checked)} />
          log scale
        </label>
        <label>
          x axis
          <select name="axis" value={x} onChange={(e) => setAxis(e.target.value as CurveAxis)}>
            {axes.map((a) => (
              <option key={a} value={a}>
                {AXIS_TITLES[a]}
              </option>
            ))}
          </select>
        </label>
        <span className="hint">drag to pan, wheel to zoom, double-click to reset</span>
      </div>
      {specs.length === 0 ? (
        <p className="empty">No metric series logged yet.</p>
      ) : (
        <div className="figure-grid">
          {specs.map(({ m, spec }) => (
            <VegaFigure key={m} figureKey={`curves:${m}`} title={m} spec={spec} />
          ))}
        </div>
      )}
    </div>
  );
}
