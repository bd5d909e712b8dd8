/**
 * The static report: one self-contained HTML file for one or more runs. Every figure is inlined
 * twice: as an SVG pre-rendered in Node (readable with scripts off) and as its Vega-Lite spec,
 * which the inlined vega + vega-lite bundles render live (tooltips) when the page opens; the
 * live view replaces the static SVG. Nothing is fetched: the file opens offline.
 */
import { RnnlensError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import type { RunStore } from '../runs/store.js';
import type { ArtifactRecord, RunRecord } from '../runs/types.js';
import { readBundle } from './bundles.js';
import { keyMetrics } from '../runs/metric-order.js';
import { esc, formatNumber, htmlTable, inlineJson, page, prefixSvgIds } from './html.js';
import { renderSvg } from './render.js';
import { figuresForRun, type RunFigure } from './run-figures.js';

export interface ReportOptions {
  title?: string;
  /** Inline vega and vega-lite for live figures (default true); without them the SVGs remain. */
  liveFigures?: boolean;
  onProgress?: ProgressCallback;
}

// Runs in the browser: compile each inline spec and mount a live vega View in place of the SVG.
const LIVE_SCRIPT = `(function () {
  var figs = document.querySelectorAll('figure.fig[data-spec]');
  var pending = figs.length, live = 0;
  function done() { if (--pending === 0) document.body.setAttribute('data-live-figures', String(live)); }
  if (pending === 0) document.body.setAttribute('data-live-figures', '0');
  figs.forEach(function (fig) {
    try {
      var spec = JSON.parse(document.getElementById(fig.getAttribute('data-spec')).textContent);
      var holder = fig.querySelector('.live');
      var view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', container: holder, hover: true });
      view.runAsync().then(function () {
        fig.querySelector('.static').hidden = true;
        fig.setAttribute('data-rendered', 'live');
        live++;
        done();
      }, function (err) { fig.setAttribute('data-rendered', 'static'); fig.setAttribute('data-error', String(err)); done(); });
    } catch (err) {
      fig.setAttribute('data-rendered', 'static');
      fig.setAttribute('data-error', String(err));
      done();
    }
  });
})();`;

const ARTIFACT_SECTIONS: [ArtifactRecord['kind'], string][] = [
  ['figure', 'Figure data'],
  ['json', 'JSON artifacts'],
  ['text', 'Text artifacts'],
  ['f32', 'Arrays (float32)'],
  ['file', 'Files'],
];

function runSummary(run: RunRecord, stale: boolean): string {
  const rows: [string, string][] = [
    ['kind', esc(run.kind)],
    [
      'status',
      `<span class="status-${esc(run.status)}">${esc(run.status)}${stale ? ' (stale)' : ''}</span>`,
    ],
    ['created', esc(run.created)],
    ['finished', esc(run.finished ?? '-')],
    ['seed', esc(run.seed ?? '-')],
    ['data fingerprint', `<code>${esc(run.dataFingerprint ?? '-')}</code>`],
    ['versions', esc(`rnnlens ${run.versions.rnnlens}, node ${run.versions.node}`)],
    ['tags', esc(run.tags.join(', ') || '-')],
  ];
  if (run.error) rows.push(['error', esc(run.error)]);
  const metrics = Object.entries(run.metrics);
  return (
    htmlTable(
      ['', ''],
      rows.map(([k, v]) => [`<b>${esc(k)}</b>`, v]),
      'summary',
    ) +
    `<h3>Config</h3><pre>${esc(JSON.stringify(run.config, null, 2))}</pre>` +
    `<h3>Metrics</h3>` +
    (metrics.length
      ? htmlTable(
          ['metric', 'value'],
          metrics.map(([k, v]) => [esc(k), esc(formatNumber(v))]),
        )
      : '<p>none recorded</p>')
  );
}

function preview(store: RunStore, run: string, a: ArtifactRecord): string {
  if (a.kind === 'json' || a.kind === 'text' || a.kind === 'figure') {
    const text = store.readText(run, a.name);
    const shown =
      text.length > 4000
        ? text.slice(0, 4000) + `\n… (${text.length - 4000} more characters)`
        : text;
    return `<details><summary>${esc(a.name)}</summary><pre>${esc(shown)}</pre></details>`;
  }
  if (a.kind === 'f32') {
    const { data, shape } = store.readFloat32(run, a.name);
    let min = Infinity,
      max = -Infinity,
      sum = 0;
    for (const v of data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    const stats = data.length
      ? `min ${formatNumber(min)}, max ${formatNumber(max)}, mean ${formatNumber(sum / data.length)}`
      : 'empty';
    return `${esc(a.name)}: shape [${esc(shape.join(', '))}], ${esc(stats)}`;
  }
  store.readArtifact(run, a.name); // checks that the file is there and unchanged
  return esc(a.name);
}

function artifactSections(store: RunStore, run: string, artifacts: ArtifactRecord[]): string {
  let html = '';
  for (const [kind, heading] of ARTIFACT_SECTIONS) {
    const list = artifacts.filter((a) => a.kind === kind);
    if (list.length === 0) continue;
    html += `<h3>${esc(heading)}</h3>`;
    html += htmlTable(
      ['artifact', 'bytes', 'sha256'],
      list.map((a) => [
        preview(store, run, a),
        String(a.bytes),
        `<code>${esc(a.sha256.slice(0, 16))}…</code>`,
      ]),
    );
  }
  return html || '<p>no artifacts</p>';
}

async function figureHtml(
  runIndex: number,
  figIndex: number,
  f: RunFigure,
): Promise<{ html: string; json: string }> {
  const id = `spec-${runIndex}-${figIndex}`;
  const svg = prefixSvgIds(await renderSvg(f.spec), `f${runIndex}-${figIndex}-`);
  return {
    html: `<figure class="fig" id="fig-${runIndex}-${figIndex}" data-figure="${esc(f.figure)}" data-key="${esc(f.key)}" data-spec="${id}" data-rendered="static">
<div class="static">${svg}</div><div class="live"></div>
<figcaption>${esc(f.figure)} · ${esc(f.key)}</figcaption></figure>`,
    json: `<script type="application/json" id="${id}">${inlineJson(f.spec)}</script>`,
  };
}

/** Builds the report for the given run ids (all must exist and be finished or failed). */
export async function buildReport(
  runIds: string[],
  store: RunStore,
  options: ReportOptions = {},
): Promise<string> {
  if (!Array.isArray(runIds) || runIds.length === 0)
    throw new RnnlensError(
      "buildReport: argument 'runIds' expected at least one run id, received none",
    );
  const details = runIds.map((id) => store.show(id)); // unknown ids fail here, before any work
  const running = details.filter((d) => d.run.status === 'running');
  if (running.length > 0) {
    const list = running
      .map((d) => `'${d.run.id}'${d.stale ? ` (writer process ${d.run.pid} is gone)` : ''}`)
      .join(', ');
    throw new RnnlensError(
      `buildReport: run ${list} is still being written; report on it once it has finished`,
    );
  }
  const figures = details.map((d) => figuresForRun(store, d.run.id));
  const total = figures.reduce((a, f) => a + f.length, 0);
  let done = 0;
  const sections: string[] = [];
  const specs: string[] = [];
  const contents: string[] = [];
  for (let r = 0; r < details.length; r++) {
    const { run, artifacts, stale } = details[r]!;
    const figs: string[] = [];
    for (let i = 0; i < figures[r]!.length; i++) {
      const f = figures[r]![i]!;
      const out = await figureHtml(r, i, f);
      figs.push(out.html);
      specs.push(out.json);
      options.onProgress?.({
        task: 'report',
        done: ++done,
        total,
        message: `${run.id}: ${f.title}`,
      });
    }
    const figLinks = figures[r]!.map((f, i) => `<li><a href="#fig-${r}-${i}">${esc(f.title || f.key)}</a></li>`);
    contents.push(
      `<li><a href="#run-${esc(run.id)}">${esc(run.kind)} run <code>${esc(run.id)}</code></a>${figLinks.length ? `<ol>${figLinks.join('')}</ol>` : ''}</li>`,
    );
    sections.push(`<section class="run" id="run-${esc(run.id)}">
<h2>${esc(run.kind)} run <code>${esc(run.id)}</code></h2>
${runSummary(run, stale)}
<h3>Figures</h3>
${figs.length ? figs.join('\n') : '<p>no figures</p>'}
${artifactSections(store, run.id, artifacts)}
</section>`);
  }
  // the most telling metrics as columns (all of them are in each run's section)
  const metricNames = keyMetrics(details.flatMap((d) => Object.keys(d.run.metrics)), 8);
  const overview = htmlTable(
    ['run', 'kind', 'status', 'created', ...metricNames],
    details.map(({ run }) => [
      `<a href="#run-${esc(run.id)}">${esc(run.id)}</a>`,
      esc(run.kind),
      `<span class="status-${esc(run.status)}">${esc(run.status)}</span>`,
      esc(run.created),
      ...metricNames.map((m) => (m in run.metrics ? esc(formatNumber(run.metrics[m]!)) : '')),
    ]),
    'overview',
  );
  const title =
    options.title ??
    `rnnlens report: ${details.length === 1 ? details[0]!.run.id : `${details.length} runs`}`;
  const body = `<header><h1>${esc(title)}</h1></header>
<main>
<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol><li><a href="#runs">Runs</a></li>${contents.join('\n')}</ol></nav>
<h2 id="runs">Runs</h2>
<div class="table-scroll">${overview}</div>
${sections.join('\n')}
</main>
${specs.join('\n')}`;
  const scripts =
    options.liveFigures === false ? [] : [readBundle('vega'), readBundle('vega-lite'), LIVE_SCRIPT];
  return page(title, body, scripts);
}
