// Everything the dashboard shows is addressed by its URL: the page (`run`, `view`, `compare`) and
// the shared linked selection (`seq`, `unit`) that every view reads and highlights. Changing the
// selection anywhere rewrites the URL, so a link reproduces exactly what is on screen.
import { useCallback, useEffect, useState } from 'react';

export type UrlKey = 'run' | 'view' | 'compare' | 'seq' | 'unit' | 'page' | 'kind' | 'status' | 'q';

export type UrlState = Partial<Record<UrlKey, string>>;

const KEYS: UrlKey[] = ['run', 'view', 'compare', 'seq', 'unit', 'page', 'kind', 'status', 'q'];

function read(): UrlState {
  const p = new URLSearchParams(window.location.search);
  const s: UrlState = {};
  for (const k of KEYS) {
    const v = p.get(k);
    if (v !== null && v !== '') s[k] = v;
  }
  return s;
}

/** Builds a query string from a state; the access token (if any) is kept. */
export function hrefFor(state: UrlState): string {
  const p = new URLSearchParams();
  const token = new URLSearchParams(window.location.search).get('token');
  if (token) p.set('token', token);
  for (const k of KEYS) {
    const v = state[k];
    if (v !== undefined && v !== '') p.set(k, v);
  }
  const q = p.toString();
  return q ? `?${q}` : window.location.pathname;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/**
 * The URL state and a setter. `replace` (default for selection changes) rewrites the current
 * history entry; navigation between pages pushes a new one so Back works.
 */
export function useUrlState(): [
  UrlState,
  (patch: UrlState, options?: { push?: boolean; reset?: boolean }) => void,
] {
  const [state, setState] = useState<UrlState>(read);
  useEffect(() => {
    const l = (): void => setState(read());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  const update = useCallback(
    (patch: UrlState, options: { push?: boolean; reset?: boolean } = {}) => {
      const next: UrlState = options.reset ? { ...patch } : { ...read(), ...patch };
      for (const k of KEYS) if (next[k] === undefined || next[k] === '') delete next[k];
      const href = hrefFor(next);
      if (options.push) window.history.pushState(null, '', href);
      else window.history.replaceState(null, '', href);
      listeners.forEach((l) => l());
    },
    [],
  );
  return [state, update];
}

/** The linked selection: a sequence id and a unit index, as strings ('' for none). */
export interface Selection {
  seq: string;
  unit: string;
}

export function selectionOf(state: UrlState): Selection {
  return { seq: state.seq ?? '', unit: state.unit ?? '' };
}
