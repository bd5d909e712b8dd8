// A run still being written: its training curves so far (metric series live in the index, not in
// artifacts), polled every few seconds until the run finishes.
import { useEffect, useMemo, useState } from 'react';
import { ErrorBox } from './ErrorBox';
import { useApi } from './use-api';
import { VegaFigure } from './VegaFigure';

const POLL_MS = 3000;

export function LiveCurves({
  id,
  stale,
  onFinished,
}: {
  id: string;
  stale: boolean;
  onFinished: () => void;
}) {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (stale) return; // a run whose writer is gone will not change any more
    const t = setInterval(() => setTick((x) => x + 1), POLL_MS);
    return () => clearInterval(t);
  }, [stale]);
  const { data, error } = useApi<{ status: string; spec: Record<string, unknown> | null }>(
    `runs/${encodeURIComponent(id)}/curves`,
    {},
    tick,
  );
  useEffect(() => {
    if (data && data.status !== 'running') onFinished();
  }, [data, onFinished]);
  // re-draw only when the curves changed, not on every poll
  const text = data?.spec ? JSON.stringify(data.spec) : '';
  const spec = useMemo(() => (text ? (JSON.parse(text) as Record<string, unknown>) : null), [text]);
  return (
    <div className="live">
      <div className="notice" role="status" data-error-code="run_in_progress">
        <strong>Run still being written</strong>
        <p>
          {stale
            ? 'Its writer process is gone without finishing it; what it logged is shown below.'
            : 'Its figures and artifacts can be read once it has finished; the curves below update every few seconds.'}
        </p>
      </div>
      {error && <ErrorBox error={error} what="the live curves" />}
      {spec ? (
        <VegaFigure figureKey="live-curves" title="Training curves so far" spec={spec} />
      ) : (
        <p className="empty">No metric series logged yet.</p>
      )}
    </div>
  );
}
