// A virtualised list of a run's sequences (thousands): only the rows in view are in the DOM and
// rows are fetched from the server a page at a time. Clicking a row selects that sequence; a
// selection made elsewhere scrolls into view.
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, type Page, type SequenceItem } from './api';
import { ErrorBox } from './ErrorBox';

const ROW = 26;
const HEIGHT = 420;
const CHUNK = 100;

export function SequenceList({
  run,
  selected,
  onSelect,
}: {
  run: string;
  selected: string;
  onSelect: (seq: string) => void;
}) {
  const [total, setTotal] = useState<number | null>(null);
  const [rows, setRows] = useState<Map<number, SequenceItem>>(new Map());
  const [scroll, setScroll] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [query, setQuery] = useState('');
  const pending = useRef(new Set<number>());
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setRows(new Map());
    setTotal(null);
    pending.current.clear();
  }, [run, query]);

  const first = Math.floor(scroll / ROW);
  const count = Math.ceil(HEIGHT / ROW) + 2;
  useEffect(() => {
    const chunks = new Set([Math.floor(first / CHUNK), Math.floor((first + count) / CHUNK)]);
    for (const c of chunks) {
      if (pending.current.has(c) || (total !== null && c * CHUNK >= total)) continue;
      pending.current.add(c);
      api<Page<SequenceItem>>(`runs/${encodeURIComponent(run)}/sequences`, {
        offset: c * CHUNK,
        limit: CHUNK,
        q: query,
      }).then(
        (p) => {
          setTotal(p.total);
          setRows((old) => {
            const next = new Map(old);
            p.items.forEach((it, i) => next.set(c * CHUNK + i, it));
            return next;
          });
        },
        (err: unknown) =>
          setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err))),
      );
    }
  }, [first, count, total, run, query]);

  // bring a selection made in another view into sight (ids are row numbers when unfiltered)
  useEffect(() => {
    const i = Number(selected);
    if (!box.current || query || selected === '' || !Number.isInteger(i)) return;
    const top = i * ROW;
    if (top < box.current.scrollTop || top > box.current.scrollTop + HEIGHT - ROW)
      box.current.scrollTop = Math.max(0, top - HEIGHT / 2);
  }, [selected, query]);

  if (error) return <ErrorBox error={error} what="the sequences" />;
  const visible: number[] = [];
  for (let i = first; i < Math.min(total ?? 0, first + count); i++) visible.push(i);
  return (
    <div className="sequences">
      <div className="sequences-head">
        <strong>Sequences</strong> {total !== null && <span>({total})</span>}
        <input
          placeholder="filter"
          aria-label="filter sequences"
          onKeyDown={(e) => e.key === 'Enter' && setQuery((e.target as HTMLInputElement).value)}
        />
      </div>
      <div
        className="sequence-scroll"
        ref={box}
        style={{ height: HEIGHT }}
        onScroll={(e) => setScroll((e.target as HTMLDivElement).scrollTop)}
        data-total={total ?? ''}
      >
        <div style={{ height: (total ?? 0) * ROW, position: 'relative' }}>
          {visible.map((i) => {
            const it = rows.get(i);
            const seq = it?.seq ?? '';
            return (
              <div
                key={i}
                className={`sequence-row ${it && seq === selected ? 'selected' : ''}`}
                style={{ top: i * ROW, height: ROW }}
                data-seq={seq}
                onClick={() => it && onSelect(seq === selected ? '' : seq)}
              >
                {it ? (
                  <>
                    <span className="seq-id">#{seq}</span>
                    {it.label !== undefined && (
                      <span className="seq-label">{String(it.label)}</span>
                    )}
                    <span className="seq-text">{String(it.text ?? '')}</span>
                  </>
                ) : (
                  <span className="seq-text">…</span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
