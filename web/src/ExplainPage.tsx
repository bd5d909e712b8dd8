// The Explain page: pick a recorded model, type a text (token models), enter numeric rows or pick
// a dataset item, choose an attribution method and its parameters (the form comes from
// api/methods), run it and see the prediction and the attribution as coloured tokens or a
// steps × features heatmap.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError } from './api';
import { ErrorBox, Loading } from './ErrorBox';
import {
  postExplain,
  type ExplainInput,
  type ExplainLimits,
  type ExplainResult,
  type ItemsPage,
  type MethodInfo,
  type MethodParamInfo,
  type ModelEntry,
} from './explain-api';
import { heatmapSpec, maxAbs, stepsSpec, tokenColour } from './explain-specs';
import { fmt } from './format';
import { useApi } from './use-api';
import { hrefFor, useUrlState } from './url-state';
import { VegaFigure } from './VegaFigure';
import './explain.css';

type Mode = 'text' | 'rows' | 'item';

/** The header link to this page. */
export function ExplainNavLink() {
  const [, setUrl] = useUrlState();
  return (
    <a
      href={hrefFor({ view: 'explain' })}
      className="nav-link"
      data-nav="explain"
      onClick={(e) => (e.preventDefault(), setUrl({ view: 'explain' }, { push: true, reset: true }))}
    >
      Explain
    </a>
  );
}

function describeModel(m: ModelEntry): string {
  const input =
    m.input.kind === 'tokens'
      ? `tokens, vocabulary ${m.input.vocabSize}${m.input.text ? ', text' : ''}`
      : `numeric, ${m.input.features} features${m.input.typicalLength ? `, ~${m.input.typicalLength} steps` : ''}`;
  return `${m.run} — ${m.recipe ?? 'no recipe'} (${[m.cell, m.task].filter(Boolean).join(' ')}; ${input})`;
}

function ParamFields({
  params,
  values,
  onChange,
}: {
  params: MethodParamInfo[];
  values: Record<string, string>;
  onChange: (name: string, value: string) => void;
}) {
  return (
    <div className="param-fields">
      {params.map((p) => {
        const numeric = p.type === 'integer' || p.type === 'number';
        return (
          <label key={p.name} title={p.description}>
            {p.name}
            <input
              name={`param-${p.name}`}
              type={numeric ? 'number' : 'text'}
              min={p.min}
              max={p.max}
              step={p.type === 'integer' ? 1 : 'any'}
              placeholder={p.default === null ? '' : String(p.default)}
              value={values[p.name] ?? ''}
              onChange={(e) => onChange(p.name, e.target.value)}
            />
            <span className="sub">{p.description}{p.max !== undefined ? ` (${p.min ?? ''}…${p.max.toLocaleString('en-US')})` : ''}</span>
          </label>
        );
      })}
    </div>
  );
}

function ItemPicker({ run, split, selected, onPick }: { run: string; split: string; selected: number; onPick: (i: number) => void }) {
  const { data, error, loading } = useApi<ItemsPage>(`models/${encodeURIComponent(run)}/items`, { split, limit: 50 });
  if (error) return <ErrorBox error={error} what="the dataset items" />;
  if (loading || !data) return <Loading what="the dataset items" />;
  return (
    <div className="item-picker">
      <p className="sub">{data.total} items in the {split} split; the first {data.items.length}:</p>
      <ul>
        {data.items.map((it) => (
          <li key={it.index}>
            <button
              type="button"
              className={`item-row${it.index === selected ? ' selected' : ''}`}
              data-item={it.index}
              onClick={() => onPick(it.index)}
            >
              <strong>#{it.index}</strong> {it.labelName !== null && <em>{it.labelName}</em>} <span className="preview">{it.preview}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ResultView({ result }: { result: ExplainResult }) {
  const scores = result.attribution.steps;
  const tokens = result.input.tokens;
  const m = maxAbs(scores);
  const steps = useMemo(() => stepsSpec(scores, tokens), [result]);
  const heat = useMemo(() => (result.attribution.features ? heatmapSpec(result.attribution.features) : null), [result]);
  const p = result.prediction;
  return (
    <section className="explain-result" data-method={result.method}>
      <div className="prediction" data-predicted={p.predicted?.name ?? ''}>
        {p.predicted ? (
          <p>
            Predicted <strong className="predicted-class">{p.predicted.name}</strong> (p = {p.predicted.probability.toFixed(3)})
            {result.input.labelName != null && <> — label <strong>{result.input.labelName}</strong></>}
          </p>
        ) : (
          <p>Outputs: {JSON.stringify(p.outputs).slice(0, 300)}</p>
        )}
        {p.classNames && p.task === 'classification' && (
          <table className="probabilities">
            <tbody>
              {p.classNames.map((c, i) => (
                <tr key={c} data-class={c}>
                  <td>{c}</td>
                  <td className="num">{fmt((p.outputs as number[])[i]!)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="sub">
          {result.method} for {result.target.name ?? `output ${result.target.index}`}: F(x) = {fmt(result.output)}
          {result.completenessGap !== null && <>; completeness gap {result.completenessGap.toExponential(2)}</>}
          ; {Math.round(result.elapsedMs)} ms
        </p>
      </div>
      {tokens && (
        <p className="token-attribution">
          {tokens.map((t, i) => (
            <span
              key={i}
              className="token"
              data-score={scores[i]}
              title={`${t}: ${scores[i]!.toPrecision(4)}`}
              style={{ background: tokenColour(scores[i]!, m) }}
            >
              {t}
            </span>
          ))}
        </p>
      )}
      <VegaFigure figureKey="explain-steps" title={tokens ? 'Attribution per token' : 'Attribution per step (sum over features)'} spec={steps} />
      {heat && <VegaFigure figureKey="explain-heatmap" title="Attribution per step and feature" spec={heat} />}
    </section>
  );
}

/** Numbers of the rows textarea: one step per line, features separated by commas or spaces. */
function parseRows(text: string): number[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(/[\s,]+/).map(Number));
}

export function ExplainPage() {
  const models = useApi<{ models: ModelEntry[] }>('models');
  const methods = useApi<{ methods: MethodInfo[]; limits: ExplainLimits }>('methods');
  const [run, setRun] = useState('');
  const [mode, setMode] = useState<Mode>('text');
  const [text, setText] = useState('');
  const [rows, setRows] = useState('');
  const [split, setSplit] = useState('test');
  const [item, setItem] = useState(0);
  const [method, setMethod] = useState('integrated-gradients');
  const [params, setParams] = useState<Record<string, string>>({});
  const [target, setTarget] = useState('');
  const [result, setResult] = useState<ExplainResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [running, setRunning] = useState(false);

  const model = models.data?.models.find((m) => m.run === run) ?? models.data?.models[0];
  useEffect(() => {
    if (!model) return;
    if (run !== model.run) setRun(model.run);
    const textOk = model.input.kind === 'tokens' && model.input.text;
    if (mode === 'text' && !textOk) setMode(model.input.kind === 'numeric' ? 'rows' : 'item');
    if (mode === 'rows' && model.input.kind !== 'numeric') setMode(textOk ? 'text' : 'item');
  }, [model?.run]);
  const usable = (methods.data?.methods ?? []).filter((m) => !model || m.inputKinds.includes(model.input.kind));
  const info = usable.find((m) => m.name === method) ?? usable[0];

  if (models.error) return <ErrorBox error={models.error} what="the models" />;
  if (methods.error) return <ErrorBox error={methods.error} what="the methods" />;
  if (!models.data || !methods.data) return <Loading what="the models and methods" />;
  if (!model)
    return (
      <section className="page" data-page="explain">
        <h2>Explain an input</h2>
        <p>No recorded model yet: train one with <code>rnnlens train --recipe spam</code> (or any recipe), then reload.</p>
      </section>
    );

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!info) return;
    const input: ExplainInput =
      mode === 'text' ? { text } : mode === 'rows' ? { rows: parseRows(rows) } : { item, split };
    const p: Record<string, number | string> = {};
    for (const spec of info.params) {
      const v = (params[spec.name] ?? '').trim();
      if (v !== '') p[spec.name] = spec.type === 'integer' || spec.type === 'number' ? Number(v) : v;
    }
    setRunning(true);
    setError(null);
    try {
      const body = { run: model.run, method: info.name, input, params: p, ...(target !== '' ? { target } : {}) };
      setResult(await postExplain(body));
    } catch (err) {
      setResult(null);
      setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="page" data-page="explain">
      <h2>Explain an input</h2>
      <form className="explain-form" onSubmit={(e) => void submit(e)}>
        <label>
          Model
          <select name="model" value={model.run} onChange={(e) => (setRun(e.target.value), setResult(null), setTarget(''))}>
            {models.data.models.map((m) => (
              <option key={m.run} value={m.run}>
                {describeModel(m)}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="input-mode">
          <legend>Input</legend>
          {model.input.kind === 'tokens' && model.input.text && (
            <label><input type="radio" name="mode" value="text" checked={mode === 'text'} onChange={() => setMode('text')} /> type a text</label>
          )}
          {model.input.kind === 'numeric' && (
            <label><input type="radio" name="mode" value="rows" checked={mode === 'rows'} onChange={() => setMode('rows')} /> enter numeric rows</label>
          )}
          {model.recipe && (
            <label><input type="radio" name="mode" value="item" checked={mode === 'item'} onChange={() => setMode('item')} /> pick a dataset item</label>
          )}
          {mode === 'text' && (
            <textarea name="text" rows={4} maxLength={methods.data.limits.maxTextChars} placeholder="Type a text to explain" value={text} onChange={(e) => setText(e.target.value)} />
          )}
          {mode === 'rows' && model.input.kind === 'numeric' && (
            <textarea name="rows" rows={6} placeholder={`one step per line, ${model.input.features} numbers separated by commas (at most ${methods.data.limits.maxSteps} steps)`} value={rows} onChange={(e) => setRows(e.target.value)} />
          )}
          {mode === 'item' && (
            <>
              <label>
                Split
                <select name="split" value={split} onChange={(e) => setSplit(e.target.value)}>
                  {['test', 'validation', 'train'].map((s) => <option key={s} value={s}>{s}</option>)}
                </select>
              </label>
              <label>
                Item
                <input name="item" type="number" min={0} step={1} value={item} onChange={(e) => setItem(Math.max(0, Math.floor(Number(e.target.value) || 0)))} />
              </label>
              <ItemPicker run={model.run} split={split} selected={item} onPick={setItem} />
            </>
          )}
        </fieldset>
        <label>
          Method
          <select name="method" value={info?.name ?? ''} onChange={(e) => (setMethod(e.target.value), setParams({}))}>
            {usable.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name} ({m.family})
              </option>
            ))}
          </select>
        </label>
        {info && <ParamFields params={info.params} values={params} onChange={(k, v) => setParams((p) => ({ ...p, [k]: v }))} />}
        <label>
          Target
          <select name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">{model.task === 'classification' ? 'the predicted class' : 'the largest output'}</option>
            {(model.classNames ?? []).map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <button type="submit" name="run" disabled={running}>
          {running ? 'Running…' : 'Run'}
        </button>
      </form>
      {error && <ErrorBox error={error} what="the explanation" />}
      {result && !running && <ResultView result={result} />}
    </section>
  );
}
