// LSTMVis-style explorer of an internals run (Strobelt et al.): pick a sequence, read its tokens
// over a units × steps heatmap of a layer's hidden state, cell state or gates, hover a step for
// its state vector, drag over a step range and set a threshold to get the units on during the
// range and off just before and after it, then see the corpus sequences where those units light
// up together. Units and sequences picked here are the dashboard's linked selection.
import { useEffect, useMemo, useState } from 'react';
import { type ApiError } from './api';
import { ErrorBox, Loading } from './ErrorBox';
import {
  columnName,
  decodeAll,
  EXPLORER_ARTIFACT,
  FIELD_NAMES,
  unitOf,
  visible,
  type ExplorerArtifact,
} from './explorer-data';
import { rankMatches, selectUnits } from './explorer-match';
import { ExplorerHeatmap, StateVector, type Range } from './ExplorerHeatmap';
import { useApi } from './use-api';
import type { Selection } from './url-state';
import './explorer.css';

/** Matches listed in the match view. */
const MATCHES = 15;

export function UnitExplorer({
  run,
  selection,
  onSelect,
}: {
  run: string;
  selection: Selection;
  onSelect: (p: Partial<Selection>) => void;
}) {
  const res = useApi<{ content: ExplorerArtifact }>(
    `runs/${encodeURIComponent(run)}/artifacts/${EXPLORER_ARTIFACT}`,
  );
  if (res.error) return <ErrorBox error={res.error as ApiError} what="the unit explorer's data" />;
  if (!res.data) return <Loading what="the unit explorer" />;
  const a = res.data.content;
  if (a?.format !== 'rnnlens-explorer' || a.sequences.length === 0 || a.layers.length === 0)
    return <p className="empty">This run's {EXPLORER_ARTIFACT} holds no sequences to explore.</p>;
  return <Explorer a={a} selection={selection} onSelect={onSelect} />;
}

function Explorer({
  a,
  selection,
  onSelect,
}: {
  a: ExplorerArtifact;
  selection: Selection;
  onSelect: (p: Partial<Selection>) => void;
}) {
  const [layerKey, setLayerKey] = useState(a.layers[a.layers.length - 1]!.key);
  const layer = a.layers.find((l) => l.key === layerKey) ?? a.layers[0]!;
  const [fieldName, setFieldName] = useState<string>('h');
  const field = layer.fields.find((f) => f.name === fieldName) ?? layer.fields[0]!;
  const [pos, setPos] = useState(() => Math.max(0, a.sequences.findIndex((s) => s.id === selection.seq)));
  const [hover, setHover] = useState<number | null>(null);
  const [range, setRange] = useState<Range | null>(null);
  const [threshold, setThreshold] = useState(() => Math.min(field.hi, Math.max(field.lo, 0.3)));
  // a sequence selected elsewhere (list, projections) is shown here when the artifact has it
  useEffect(() => {
    const i = a.sequences.findIndex((s) => s.id === selection.seq);
    if (i >= 0) setPos(i);
  }, [selection.seq, a]);
  useEffect(() => {
    setRange(null);
    setHover(null);
  }, [pos, layerKey, fieldName]);
  // another state has another value range: keep the threshold inside it
  useEffect(() => setThreshold((t) => Math.min(field.hi, Math.max(field.lo, t))), [field]);

  const corpus = useMemo(() => decodeAll(a, layer, field), [a, layer, field]);
  const seq = a.sequences[pos]!;
  const m = corpus[pos]!;
  const units = useMemo(
    () => (range ? selectUnits(m, range.start, range.end, threshold) : []),
    [m, range, threshold],
  );
  const matches = useMemo(() => rankMatches(corpus, units, threshold), [corpus, units, threshold]);
  const pick = (i: number): void => {
    setPos(i);
    onSelect({ seq: a.sequences[i]!.id });
  };
  const pickUnit = (u: number): void => onSelect({ unit: String(u) });
  const step = hover ?? range?.start ?? null;
  const inRange = (t: number): boolean => range !== null && t >= range.start && t < range.end;

  return (
    <section className="unit-explorer" data-seq={seq.id} data-field={field.name} data-layer={layer.key}>
      <h3>Unit explorer</h3>
      <p className="explorer-help">
        {a.sequences.length} of {a.analysed} analysed sequences (first {a.caps.steps} steps of each; values
        quantised to 1/255 of their range). Hover a step for its state vector; drag over steps to select a
        range: the units above the threshold during the whole range and below it just before and after are
        listed, with the sequences where they light up together.
      </p>
      <div className="explorer-controls">
        <label>
          sequence{' '}
          <select aria-label="explorer sequence" value={pos} onChange={(e) => pick(Number(e.target.value))}>
            {a.sequences.map((s, i) => (
              <option key={s.id} value={i}>
                {s.id}
                {s.label !== undefined ? ` · ${s.label}` : ''} · {s.tokens.slice(0, 24).map(visible).join(s.tokens.every((t) => t.length <= 1) ? '' : ' ')}
              </option>
            ))}
          </select>
        </label>
        {a.layers.length > 1 && (
          <label>
            layer{' '}
            <select aria-label="explorer layer" value={layer.key} onChange={(e) => setLayerKey(e.target.value)}>
              {a.layers.map((l) => (
                <option key={l.key}>{l.key}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          state{' '}
          <select aria-label="explorer state" value={field.name} onChange={(e) => setFieldName(e.target.value)}>
            {layer.fields.map((f) => (
              <option key={f.name} value={f.name}>
                {FIELD_NAMES[f.name]}
              </option>
            ))}
          </select>
        </label>
        <label>
          threshold{' '}
          <input
            aria-label="explorer threshold"
            type="range"
            min={field.lo}
            max={field.hi}
            step={(field.hi - field.lo) / 100}
            value={threshold}
            onChange={(e) => setThreshold(Number(e.target.value))}
          />{' '}
          <code className="explorer-threshold">{threshold.toFixed(2)}</code>
        </label>
        <label title="first step and the step after the last (drag over the heatmap to set them)">
          steps [from, to){' '}
          <input
            aria-label="explorer range start"
            type="number"
            min={0}
            max={m.steps - 1}
            value={range?.start ?? ''}
            onChange={(e) => {
              const s = Math.max(0, Math.min(m.steps - 1, Number(e.target.value)));
              setRange({ start: s, end: Math.max(s + 1, range?.end ?? s + 1) });
            }}
          />
          –
          <input
            aria-label="explorer range end"
            type="number"
            min={1}
            max={m.steps}
            value={range?.end ?? ''}
            onChange={(e) => {
              const end = Math.max(1, Math.min(m.steps, Number(e.target.value)));
              setRange({ start: Math.min(range?.start ?? end - 1, end - 1), end });
            }}
          />
        </label>
      </div>
      <p className="explorer-tokens" data-seq={seq.id}>
        {seq.label !== undefined && <span className="explorer-label">{seq.label}</span>}
        {seq.tokens.map((t, i) => (
          <span
            key={i}
            data-step={i}
            className={`${inRange(i) ? 'in-range' : ''} ${hover === i ? 'hovered' : ''}`}
            onMouseEnter={() => setHover(i)}
            onMouseLeave={() => setHover(null)}
            onClick={() => setRange({ start: i, end: i + 1 })}
          >
            {visible(t)}
          </span>
        ))}
        {seq.length > seq.tokens.length && <span className="explorer-cut"> … ({seq.length} steps)</span>}
      </p>
      <ExplorerHeatmap
        m={m}
        layer={layer}
        field={field}
        selectedUnit={selection.unit}
        onUnits={units}
        range={range}
        hover={hover}
        onHover={setHover}
        onRange={setRange}
        onUnit={pickUnit}
      />
      {step !== null && (
        <StateVector
          m={m}
          layer={layer}
          field={field}
          step={step}
          token={visible(seq.tokens[step] ?? '')}
          selectedUnit={selection.unit}
          onUnits={units}
          threshold={threshold}
          onUnit={pickUnit}
        />
      )}
      {range && (
        <div className="explorer-selection" data-start={range.start} data-end={range.end} data-units={units.join(',')}>
          <h4>
            {range.end - range.start === 1 ? `Step ${range.start}` : `Steps ${range.start}–${range.end - 1}`}: {units.length} unit
            {units.length === 1 ? '' : 's'} on (&gt;{' '}
            {threshold.toFixed(2)}) throughout, off just outside
          </h4>
          <ul className="explorer-units">
            {units.map((c) => (
              <li key={c}>
                <button
                  data-col={c}
                  data-unit={unitOf(layer, c)}
                  className={String(unitOf(layer, c)) === selection.unit ? 'active' : ''}
                  onClick={() => pickUnit(unitOf(layer, c))}
                >
                  {columnName(layer, field, c)}
                </button>
              </li>
            ))}
          </ul>
          {units.length > 0 && (
            <Matches a={a} matches={matches.slice(0, MATCHES)} total={matches.length} current={pos} onPick={pick} />
          )}
        </div>
      )}
    </section>
  );
}

function Matches({
  a,
  matches,
  total,
  current,
  onPick,
}: {
  a: ExplorerArtifact;
  matches: ReturnType<typeof rankMatches>;
  total: number;
  current: number;
  onPick: (i: number) => void;
}) {
  return (
    <div className="explorer-matches">
      <h4>
        Match view: {total} sequence{total === 1 ? '' : 's'} where these units are on together
        {total > matches.length ? ` (best ${matches.length})` : ''}
      </h4>
      <ol>
        {matches.map((x) => {
          const s = a.sequences[x.index]!;
          const chars = s.tokens.every((t) => t.length <= 1);
          return (
            <li
              key={s.id}
              data-seq={s.id}
              data-count={x.count}
              className={x.index === current ? 'current' : ''}
              onClick={() => onPick(x.index)}
            >
              <span className="explorer-match-head">
                {s.id}
                {s.label !== undefined ? ` · ${s.label}` : ''} · {x.count} step{x.count === 1 ? '' : 's'}, longest run{' '}
                {x.longest}
              </span>
              <span className={`explorer-match-text ${chars ? 'chars' : ''}`}>
                {s.tokens.map((t, i) => (
                  <span key={i} className={x.on[i] ? 'match' : ''}>
                    {visible(t)}
                  </span>
                ))}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
