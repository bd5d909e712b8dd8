// Loading state for one API call: data, error (ApiError with the server's message) and loading.
import { useEffect, useState } from 'react';
import { api, ApiError } from './api';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
}

/** `refresh`: change it to fetch again (polling); the previous data stays until the answer. */
export function useApi<T>(
  path: string | null,
  params: Record<string, string | number | undefined> = {},
  refresh = 0,
): Loaded<T> {
  const key = path === null ? null : `${path}?${JSON.stringify(params)}#${refresh}`;
  const [state, setState] = useState<Loaded<T>>({
    data: null,
    error: null,
    loading: path !== null,
  });
  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>(path, params).then(
      (data) => !cancelled && setState({ data, error: null, loading: false }),
      (error: unknown) =>
        !cancelled &&
        setState({
          data: null,
          error: error instanceof ApiError ? error : new ApiError(0, 'client', String(error)),
          loading: false,
        }),
    );
    return () => {
      cancelled = true;
    };
  }, [key]);
  return state;
}
