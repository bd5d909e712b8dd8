// A clear error state: what failed, the server's message and what the user can do next.
import type { ApiError } from './api';

const HINTS: Record<string, string> = {
  unknown_run:
    'The run may have been removed (rnnlens runs rm) or the link points to another run store.',
  run_in_progress: 'The run is still being written. Reload when it has finished.',
  artifact_missing: 'The file was deleted from the run folder after the run finished.',
  unknown_artifact: 'This run has no such artifact.',
  unauthorized: 'Open the address printed by rnnlens serve, including its ?token=… part.',
  network: 'The server is not reachable.',
};

export function ErrorBox({ error, what }: { error: ApiError; what: string }) {
  return (
    <div className="error" role="alert" data-error-code={error.code}>
      <strong>
        Cannot load {what}
        {error.status ? ` (${error.status})` : ''}
      </strong>
      <p>{error.message}</p>
      {HINTS[error.code] && <p className="hint">{HINTS[error.code]}</p>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <div className="loading">Loading {what}…</div>;
}
