// The unit explorer's pictures of one sequence: a units × steps heatmap (drag over it to select a
// step range, click a row's label to select its unit) and the state vector of one step as bars.
import { useRef } from 'react';
import type { StateMatrix } from './explorer-match';
import { colour, columnName, unitOf, type ExplorerField, type ExplorerLayer } from './explorer-data';

const LABEL = 44;

export interface Range {
  start: number;
  end: number;
}

export function ExplorerHeatmap({
  m,
  layer,
  field,
  selectedUnit,
  onUnits,
  range,
  hover,
  onHover,
  onRange,
  onUnit,
}: {
  m: StateMatrix;
  layer: ExplorerLayer;
  field: ExplorerField;
  selectedUnit: string;
  /** columns on over the range (LSTMVis selection) */
  onUnits: readonly number[];
  range: Range | null;
  hover: number | null;
  onHover: (t: number | null) => void;
  onRange: (r: Range) => void;
  onUnit: (unit: number) => void;
}) {
  const cw = Math.max(5, Math.min(18, Math.floor(760 / Math.max(1, m.steps))));
  const rh = Math.max(4, Math.min(14, Math.floor(360 / Math.max(1, m.width))));
  const drag = useRef<number | null>(null);
  const width = LABEL + cw * m.steps;
  const height = rh * m.width;
  const stepAt = (e: React.MouseEvent<SVGElement>): number => {
    const box = (e.currentTarget.ownerSVGElement ?? (e.currentTarget as SVGSVGElement)).getBoundingClientRect();
    return Math.max(0, Math.min(m.steps - 1, Math.floor((e.clientX - box.left - LABEL) / cw)));
  };
  const sel = selectedUnit === '' ? null : Number(selectedUnit);
  const chosen = new Set(onUnits);
  const rows = [];
  for (let c = 0; c < m.width; c++) {
    const unit = unitOf(layer, c);
    const lit = sel === null || unit === sel;
    const cells = [];
    for (let t = 0; t < m.steps; t++)
      cells.push(
        <rect
          key={t}
          className="explorer-cell"
          x={LABEL + t * cw}
          y={c * rh}
          width={cw}
          height={rh}
          fill={colour(m.data[t * m.width + c]!, field.lo, field.hi)}
        />,
      );
    rows.push(
      <g
        key={c}
        className="explorer-row"
        data-col={c}
        data-unit={unit}
        data-highlight={sel !== null && unit === sel ? 'true' : 'false'}
        opacity={lit ? 1 : 0.25}
      >
        <rect
          className="explorer-row-label"
          x={0}
          y={c * rh}
          width={LABEL}
          height={rh}
          fill="transparent"
          onMouseDown={(e) => e.stopPropagation()}
          onClick={() => onUnit(unit)}
        >
          <title>{`select unit ${unit}`}</title>
        </rect>
        <text pointerEvents="none" x={LABEL - 4} y={c * rh + rh - 1} textAnchor="end" fontSize={Math.min(10, rh)} fill={chosen.has(c) ? '#b00' : '#555'}>
          {rh >= 7 || chosen.has(c) ? columnName(layer, field, c) : ''}
        </text>
        {cells}
        {sel !== null && unit === sel && (
          <rect x={LABEL} y={c * rh} width={cw * m.steps} height={rh} fill="none" stroke="#222" strokeWidth={1.5} />
        )}
      </g>,
    );
  }
  return (
    <svg
      className="explorer-heatmap"
      width={width}
      height={height}
      data-steps={m.steps}
      data-columns={m.width}
      data-sel-unit={selectedUnit}
      onMouseLeave={() => {
        drag.current = null;
        onHover(null);
      }}
    >
      <g
        onMouseDown={(e) => {
          drag.current = stepAt(e);
          onRange({ start: drag.current, end: drag.current + 1 });
        }}
        onMouseMove={(e) => {
          const t = stepAt(e);
          onHover(t);
          if (drag.current !== null)
            onRange({ start: Math.min(drag.current, t), end: Math.max(drag.current, t) + 1 });
        }}
        onMouseUp={() => (drag.current = null)}
      >
        {rows}
      </g>
      {range && (
        <rect
          className="explorer-range"
          x={LABEL + range.start * cw}
          y={0}
          width={(range.end - range.start) * cw}
          height={height}
          fill="none"
          stroke="#e69f00"
          strokeWidth={2}
          pointerEvents="none"
        />
      )}
      {hover !== null && (
        <rect x={LABEL + hover * cw} y={0} width={cw} height={height} fill="none" stroke="#000" strokeDasharray="2 2" pointerEvents="none" />
      )}
    </svg>
  );
}

/** Bars of one step's state vector, the selected unit and the range's units marked. */
export function StateVector({
  m,
  layer,
  field,
  step,
  token,
  selectedUnit,
  onUnits,
  threshold,
  onUnit,
}: {
  m: StateMatrix;
  layer: ExplorerLayer;
  field: ExplorerField;
  step: number;
  token: string;
  selectedUnit: string;
  onUnits: readonly number[];
  threshold: number;
  onUnit: (unit: number) => void;
}) {
  const bw = Math.max(3, Math.min(16, Math.floor(760 / Math.max(1, m.width))));
  const h = 90;
  const lo = Math.min(0, field.lo);
  const hi = Math.max(0, field.hi);
  const y = (v: number): number => h - ((v - lo) / (hi - lo || 1)) * h;
  const chosen = new Set(onUnits);
  const sel = selectedUnit === '' ? null : Number(selectedUnit);
  return (
    <div className="explorer-vector" data-step={step}>
      <div className="explorer-caption">
        step {step} <code>{token}</code>: {m.width} values (bars; the line is the threshold {threshold.toFixed(2)})
      </div>
      <svg width={bw * m.width} height={h}>
        {Array.from({ length: m.width }, (_, c) => {
          const v = m.data[step * m.width + c]!;
          const top = Math.min(y(v), y(0));
          return (
            <rect
              key={c}
              data-col={c}
              data-value={v.toFixed(3)}
              x={c * bw}
              y={top}
              width={Math.max(1, bw - 1)}
              height={Math.max(1, Math.abs(y(v) - y(0)))}
              fill={chosen.has(c) ? '#d55e00' : sel !== null && unitOf(layer, c) === sel ? '#222' : '#8aa'}
              onClick={() => onUnit(unitOf(layer, c))}
            >
              <title>{`${columnName(layer, field, c)}: ${v.toFixed(3)}`}</title>
            </rect>
          );
        })}
        <line x1={0} x2={bw * m.width} y1={y(threshold)} y2={y(threshold)} stroke="#e69f00" />
        <line x1={0} x2={bw * m.width} y1={y(0)} y2={y(0)} stroke="#999" />
      </svg>
    </div>
  );
}
