// One figure: a Vega-Lite spec embedded with vega-embed (SVG renderer), wired to the linked
// selection: it highlights the selected unit / sequence and a click on a mark selects them.
import { useEffect, useRef, useState } from 'react';
import embed, { type Result, type VisualizationSpec } from 'vega-embed';
import type { FigureLink } from './link-spec';
import { linkSpec, SEQ_SIGNAL, UNIT_SIGNAL } from './link-spec';
import type { Selection } from './url-state';

declare global {
  interface Window {
    /** Mounted vega views by figure key (the browser tests read their signals). */
    __rnnlensViews?: Record<string, Result['view']>;
  }
}

export interface VegaFigureProps {
  figureKey: string;
  title: string;
  spec: Record<string, unknown>;
  link?: FigureLink;
  selection?: Selection;
  onSelect?: (patch: Partial<Selection>) => void;
  /** What the sequence selection stands for in this figure (a fold, an input, ...). */
  seqLabel?: string;
}

export function VegaFigure({
  figureKey,
  title,
  spec,
  link = {},
  selection,
  onSelect,
  seqLabel = 'sequence',
}: VegaFigureProps) {
  const holder = useRef<HTMLDivElement>(null);
  const result = useRef<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [linked, setLinked] = useState({ unit: false, seq: false });
  const [rendered, setRendered] = useState(false);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    let cancelled = false;
    const l = linkSpec(spec, link);
    setLinked({ unit: l.linksUnit, seq: l.linksSeq });
    setRendered(false);
    embed(holder.current!, l.spec as VisualizationSpec, { renderer: 'svg', actions: false })
      .then((r) => {
        if (cancelled) return r.finalize();
        result.current = r;
        (window.__rnnlensViews ??= {})[figureKey] = r.view;
        r.view.addEventListener('click', (_event, item) => {
          const d = (item as { datum?: Record<string, unknown> } | null | undefined)?.datum;
          if (!d || !onSelectRef.current) return;
          const patch: Partial<Selection> = {};
          if (l.linksUnit && link.unit && d[link.unit] != null) patch.unit = String(d[link.unit]);
          if (l.linksSeq && link.seq && d[link.seq] != null) patch.seq = String(d[link.seq]);
          if (Object.keys(patch).length > 0) onSelectRef.current(patch);
        });
        setRendered(true);
      })
      .catch((err: unknown) => !cancelled && setError((err as Error).message));
    return () => {
      cancelled = true;
      result.current?.finalize();
      result.current = null;
      if (window.__rnnlensViews) delete window.__rnnlensViews[figureKey];
    };
    // the spec object identity changes only when the figure data does
  }, [spec, figureKey]);

  // push the selection into the view's signals without re-rendering the figure
  useEffect(() => {
    const view = result.current?.view;
    if (!view || !rendered) return;
    if (linked.unit) view.signal(UNIT_SIGNAL, selection?.unit ?? '');
    if (linked.seq) view.signal(SEQ_SIGNAL, selection?.seq ?? '');
    if (linked.unit || linked.seq) void view.runAsync();
  }, [selection?.unit, selection?.seq, rendered, linked]);

  const linkedTo = [linked.unit ? 'unit' : '', linked.seq ? seqLabel : '']
    .filter(Boolean)
    .join(' and ');
  return (
    <figure
      className="figure"
      data-key={figureKey}
      data-rendered={rendered ? 'true' : 'false'}
      data-linked={linkedTo}
      data-sel-unit={linked.unit ? (selection?.unit ?? '') : undefined}
      data-sel-seq={linked.seq ? (selection?.seq ?? '') : undefined}
    >
      <figcaption>
        {title}
        {linkedTo && (
          <span
            className="linked-badge"
            title="click a mark to select; the selection is highlighted"
          >
            linked: {linkedTo}
          </span>
        )}
      </figcaption>
      {error && <div className="error">This figure could not be drawn: {error}</div>}
      <div ref={holder} className="vega-holder" />
    </figure>
  );
}
