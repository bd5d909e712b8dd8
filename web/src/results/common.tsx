// Shared pieces of the per-kind result views: the run's JSON artifact, an estimate with its
// interval, yes/no cells and a local selection (a fold, an input) that tables and figures share.
import { useMemo, useState } from 'react';
import type { RunDetails } from '../api';
import { fmt } from '../format';
import { useApi } from '../use-api';
import type { Selection } from '../url-state';

export interface ResultProps {
  d: RunDetails;
}

/** The parsed content of one JSON artifact of the run, or null while it loads (or when absent). */
export function useArtifact<T>(
  d: RunDetails,
  name: string,
): { data: T | null; error: string | null } {
  const has = d.run.status !== 'running' && d.artifacts.some((a) => a.name === name);
  const r = useApi<{ content: T }>(
    has ? `runs/${encodeURIComponent(d.run.id)}/artifacts/${encodeURIComponent(name)}` : null,
  );
  return { data: r.data?.content ?? null, error: r.error ? r.error.message : null };
}

export function Interval({
  value,
  ci,
}: {
  value: number | null | undefined;
  ci?: [number, number] | number[] | null;
}) {
  return (
    <>
      {fmt(value ?? null)}
      {ci && ci.length === 2 && (
        <span className="ci">
          {' '}
          [{fmt(ci[0])}, {fmt(ci[1])}]
        </span>
      )}
    </>
  );
}

export function YesNo({ ok, yes = 'yes', no = 'no' }: { ok: boolean; yes?: string; no?: string }) {
  return <span className={ok ? 'verdict pass' : 'verdict fail'}>{ok ? yes : no}</span>;
}

/**
 * A selection local to one result view (which fold, which input): `selection` and `onSelect` in
 * the shape the figures take, with the chosen value as their sequence field.
 */
export function useLocalSelection(): {
  picked: string;
  pick: (v: string) => void;
  selection: Selection;
  onSelect: (p: Partial<Selection>) => void;
} {
  const [picked, setPicked] = useState('');
  return useMemo(
    () => ({
      picked,
      pick: (v: string) => setPicked((old) => (old === v ? '' : v)),
      selection: { seq: picked, unit: '' } as Selection,
      onSelect: (p: Partial<Selection>) => p.seq !== undefined && setPicked(p.seq),
    }),
    [picked],
  );
}

export function ArtifactError({ name, error }: { name: string; error: string }) {
  return (
    <div className="error" role="alert">
      Cannot read <code>{name}</code>: {error}
    </div>
  );
}
