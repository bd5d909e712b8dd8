// One run, result first: the overview leads with the run's key metrics, what it was run with and
// its result figures (a train run's curves; an explain run's attributions, a certify run's
// intervals, ...), then the record. Tabs for training curves, distributions over epochs, model
// structure, figures and artifacts appear only when the run has them. The linked selection bar
// and, when the run has a sequence list, the virtualised list on the side.
import { useCallback, useState } from 'react';
import { artifactUrl, type DashboardFigure, type RunDetails } from './api';
import { AudioPanel } from './AudioPanel';
import { ErrorBox, Loading } from './ErrorBox';
import { fmt, when } from './format';
import { CurvesExplorer } from './CurvesExplorer';
import { layerRows } from './model';
import { ModelView } from './ModelView';
import { hasKindResult, KindResult } from './results/KindResult';
import { SequenceList } from './SequenceList';
import { EXPLORER_ARTIFACT } from './explorer-data';
import { UnitExplorer } from './UnitExplorer';
import { useApi } from './use-api';
import { selectionOf, useUrlState, type Selection } from './url-state';
import { VegaFigure } from './VegaFigure';

export const VIEWS = [
  'overview',
  'training',
  'distributions',
  'model',
  'figures',
  'artifacts',
] as const;
type View = (typeof VIEWS)[number];

function Figures({
  figures,
  selection,
  onSelect,
  empty,
}: {
  figures: DashboardFigure[];
  selection: Selection;
  onSelect: (p: Partial<Selection>) => void;
  empty: string;
}) {
  if (figures.length === 0) return empty ? <p className="empty">{empty}</p> : null;
  return (
    <div className="figure-grid">
      {figures.map((f) =>
        f.spec ? (
          <VegaFigure
            key={f.key}
            figureKey={f.key}
            title={f.title}
            spec={f.spec}
            link={f.link}
            selection={selection}
            onSelect={onSelect}
          />
        ) : (
          <figure key={f.key} className="figure" data-key={f.key} data-rendered="error">
            <figcaption>{f.title}</figcaption>
            <div className="error">
              Figure <code>{f.key}</code> ({f.figure}) cannot be drawn: {f.error}
            </div>
          </figure>
        ),
      )}
    </div>
  );
}

function SelectionBar({
  selection,
  onSelect,
  maxUnit,
}: {
  selection: Selection;
  onSelect: (p: Partial<Selection>) => void;
  maxUnit: number;
}) {
  return (
    <div
      className="selection-bar"
      data-selection-seq={selection.seq}
      data-selection-unit={selection.unit}
    >
      <span>Linked selection:</span>
      <label>
        sequence
        <input
          aria-label="selected sequence"
          value={selection.seq}
          onChange={(e) => onSelect({ seq: e.target.value.trim() })}
          size={8}
          placeholder="none"
        />
      </label>
      <label>
        unit
        <input
          aria-label="selected unit"
          type="number"
          min={0}
          max={maxUnit > 0 ? maxUnit - 1 : undefined}
          value={selection.unit}
          onChange={(e) => onSelect({ unit: e.target.value })}
          placeholder="none"
        />
      </label>
      {(selection.seq || selection.unit) && (
        <button onClick={() => onSelect({ seq: '', unit: '' })}>clear</button>
      )}
      <span className="hint">
        click a mark in a linked figure, a sequence or a unit to select it everywhere
      </span>
    </div>
  );
}

/** The tabs a run has data for (the overview always). */
export function tabsOf(d: RunDetails): View[] {
  const has: Record<View, boolean> = {
    overview: true,
    training: d.series.length > 0 || d.run.status === 'running',
    distributions: d.artifacts.some((a) => a.name === 'distributions.json'),
    model: d.modelConfig !== null,
    figures: d.artifacts.some((a) => a.kind === 'figure'),
    artifacts: d.artifacts.length > 0,
  };
  return VIEWS.filter((v) => has[v]);
}

/** Figures the overview leads with, at most this many (all are in the figures tab). */
const RESULT_FIGURES = 6;

/** Scalar settings of a run's config (method, eps, recipe, ...), for the line under the metrics. */
function settingsOf(config: unknown): [string, string][] {
  if (!config || typeof config !== 'object') return [];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    if (v === null || v === undefined || v === false || k === 'model' || k === 'modelRun') continue;
    if (typeof v === 'string' || typeof v === 'number' || v === true) out.push([k, String(v)]);
    else if (k === 'params' && typeof v === 'object') out.push([k, JSON.stringify(v)]);
  }
  return out.slice(0, 12);
}

function Result({
  d,
  figures,
  selection,
  onSelect,
  onTab,
}: {
  d: RunDetails;
  figures: DashboardFigure[] | null;
  selection: Selection;
  onSelect: (p: Partial<Selection>) => void;
  onTab: (v: View) => void;
}) {
  const r = d.run;
  const keys = d.keyMetrics ?? Object.keys(r.metrics).slice(0, 8);
  const settings = settingsOf(r.config);
  const modelRun = (r.config as { modelRun?: unknown } | null)?.modelRun;
  // a train run's result is its curves; any other run's its own figures
  const shown = (figures ?? []).filter((f) => f.group === (r.kind === 'train' ? 'training' : 'artifacts'));
  return (
    <div className="result" data-kind={r.kind}>
      {keys.length > 0 && (
        <dl className="key-metrics">
          {keys.map((k) => (
            <div key={k} data-metric={k}>
              <dt>{k}</dt>
              <dd>{fmt(r.metrics[k])}</dd>
            </div>
          ))}
        </dl>
      )}
      {settings.length > 0 && (
        <p className="settings">
          {settings.map(([k, v]) => (
            <span key={k}>
              {k} <code>{v}</code>
            </span>
          ))}
          {typeof modelRun === 'string' && (
            <span>
              model from training run <a href={`?run=${modelRun}`}>{modelRun}</a>
            </span>
          )}
        </p>
      )}
      <KindResult d={d} />
      {r.status !== 'running' && d.artifacts.some((a) => a.name === EXPLORER_ARTIFACT) && <UnitExplorer run={r.id} selection={selection} onSelect={onSelect} />}
      {r.kind === 'train' ? (
        <CurvesExplorer runs={[r.id]} />
      ) : figures === null ? (
        r.status === 'running' ? null : <Loading what="figures" />
      ) : (
        <>
          <Figures
            figures={shown.slice(0, RESULT_FIGURES)}
            selection={selection}
            onSelect={onSelect}
            empty={hasKindResult(r.kind) ? '' : 'This run recorded no figures.'}
          />
          {shown.length > RESULT_FIGURES && (
            <p>
              {RESULT_FIGURES} of {shown.length} figures;{' '}
              <a href={`?run=${r.id}&view=figures`} onClick={(e) => (e.preventDefault(), onTab('figures'))}>
                all in the figures tab
              </a>
            </p>
          )}
        </>
      )}
    </div>
  );
}

function Overview({ d }: { d: RunDetails }) {
  const r = d.run;
  return (
    <div className="overview">
      <h3>Run</h3>
      <table className="summary">
        <tbody>
          <tr>
            <th>kind</th>
            <td>{r.kind}</td>
          </tr>
          <tr>
            <th>status</th>
            <td className={`status-${r.status}`}>
              {r.status}
              {d.stale ? ' (its writer stopped without finishing it)' : ''}
            </td>
          </tr>
          <tr>
            <th>created</th>
            <td>{when(r.created)}</td>
          </tr>
          <tr>
            <th>finished</th>
            <td>{when(r.finished)}</td>
          </tr>
          <tr>
            <th>seed</th>
            <td>{r.seed ?? '-'}</td>
          </tr>
          <tr>
            <th>data fingerprint</th>
            <td>
              <code>{r.dataFingerprint ?? '-'}</code>
            </td>
          </tr>
          <tr>
            <th>versions</th>
            <td>
              rnnlens {r.versions.rnnlens}, node {r.versions.node}
            </td>
          </tr>
          <tr>
            <th>tags</th>
            <td>{r.tags.join(', ') || '-'}</td>
          </tr>
          {r.error && (
            <tr>
              <th>error</th>
              <td className="status-failed">{r.error}</td>
            </tr>
          )}
        </tbody>
      </table>
      <h3>Final metrics</h3>
      {Object.keys(r.metrics).length === 0 ? (
        <p className="empty">none recorded</p>
      ) : (
        <table className="metrics">
          <tbody>
            {Object.entries(r.metrics).map(([k, v]) => (
              <tr key={k}>
                <td>{k}</td>
                <td className="num">{fmt(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Config</h3>
      <pre className="config">{JSON.stringify(r.config, null, 2)}</pre>
    </div>
  );
}

function Artifacts({ d }: { d: RunDetails }) {
  if (d.artifacts.length === 0) return <p className="empty">no artifacts</p>;
  return (
    <table className="artifacts">
      <thead>
        <tr>
          <th>artifact</th>
          <th>kind</th>
          <th>bytes</th>
          <th>sha256</th>
        </tr>
      </thead>
      <tbody>
        {d.artifacts.map((a) => (
          <tr key={a.name}>
            <td>
              {d.run.status === 'running' ? (
                a.name
              ) : (
                <a href={artifactUrl(d.run.id, a.name)}>{a.name}</a>
              )}
            </td>
            <td>
              {a.kind}
              {typeof a.meta.figure === 'string' ? ` (${a.meta.figure})` : ''}
            </td>
            <td className="num">{a.bytes.toLocaleString('en')}</td>
            <td>
              <code>{a.sha256.slice(0, 12)}…</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunPage({ id, view }: { id: string; view: View }) {
  const [url, setUrl] = useUrlState();
  const selection = selectionOf(url);
  const onSelect = (patch: Partial<Selection>): void => setUrl(patch);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const details = useApi<RunDetails>(`runs/${encodeURIComponent(id)}`, {}, generation);
  const finished = details.data !== null && details.data.run.status !== 'running';
  const figures = useApi<{ figures: DashboardFigure[] }>(
    finished && view !== 'artifacts' && view !== 'model'
      ? `runs/${encodeURIComponent(id)}/figures`
      : null,
    {},
    generation,
  );

  if (details.error) return <ErrorBox error={details.error} what={`run ${id}`} />;
  if (!details.data) return <Loading what={`run ${id}`} />;
  const d = details.data;
  const maxUnit = Math.max(
    0,
    ...(d.modelConfig ? layerRows(d.modelConfig).map((r) => r.units ?? 0) : [0]),
  );
  const group = (g: DashboardFigure['group']): DashboardFigure[] =>
    (figures.data?.figures ?? []).filter((f) => f.group === g);

  const tabs = tabsOf(d);
  const goTo = (v: View): void => setUrl({ view: v }, { push: true });
  let body;
  if (view === 'overview')
    body = (
      <>
        {figures.error ? (
          <ErrorBox error={figures.error} what="the figures" />
        ) : (
          <Result d={d} figures={finished ? figures.data?.figures ?? null : null} selection={selection} onSelect={onSelect} onTab={goTo} />
        )}
        <AudioPanel d={d} />
        <Overview d={d} />
      </>
    );
  else if (view === 'artifacts') body = <Artifacts d={d} />;
  else if (view === 'model')
    body = (
      <ModelView
        config={d.modelConfig}
        unit={selection.unit}
        onUnit={(u) => onSelect({ unit: u })}
      />
    );
  else if (view === 'training' || !finished) body = <CurvesExplorer runs={[id]} onFinished={reload} />;
  else if (figures.error) body = <ErrorBox error={figures.error} what="the figures" />;
  else if (!figures.data) body = <Loading what="figures" />;
  else if (view === 'distributions')
    body = (
      <Figures
        figures={group('distributions')}
        selection={selection}
        onSelect={onSelect}
        empty="This run recorded no distributions (distributions.json)."
      />
    );
  else
    body = (
      <Figures
        figures={group('artifacts')}
        selection={selection}
        onSelect={onSelect}
        empty="This run has no figure artifacts."
      />
    );

  return (
    <section className="page" data-page={`run-${view}`}>
      <h2>
        {d.run.kind} run <code>{d.run.id}</code>{' '}
        <span className={`status-${d.run.status}`}>{d.run.status}</span>
      </h2>
      <nav className="tabs">
        {tabs.map((v) => (
          <a
            key={v}
            href={`?run=${id}&view=${v}`}
            className={v === view ? 'active' : ''}
            data-tab={v}
            onClick={(e) => (e.preventDefault(), goTo(v))}
          >
            {v}
          </a>
        ))}
      </nav>
      <SelectionBar selection={selection} onSelect={onSelect} maxUnit={maxUnit} />
      <div className={`run-body ${d.hasSequences ? 'with-sequences' : ''}`}>
        <div className="run-main">{body}</div>
        {d.hasSequences && (
          <aside>
            <SequenceList run={id} selected={selection.seq} onSelect={(seq) => onSelect({ seq })} />
          </aside>
        )}
      </div>
    </section>
  );
}
