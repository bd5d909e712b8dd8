/** Small HTML helpers for the static report: escaping, inline JSON, tables, the page frame. */

export function esc(text: unknown): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** JSON for a `<script type="application/json">` element: '<' escaped so no tag can close it. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * An inlined SVG with its ids (and every reference to them: url(#…), href="#…") prefixed, so
 * that many SVGs in one page do not share ids such as `gradient_0`: a shared id makes every
 * reference resolve to the first element with it, whichever figure that is (a hidden one loses
 * the colour ramp of all the others).
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
  if (ids.size === 0) return svg;
  const re = (id: string): string => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let out = svg;
  for (const id of ids) {
    const p = `${prefix}${id}`;
    out = out
      .replace(new RegExp(`(\\sid=")${re(id)}"`, 'g'), `$1${p}"`)
      .replace(new RegExp(`url\\(#${re(id)}\\)`, 'g'), `url(#${p})`)
      .replace(new RegExp(`((?:xlink:)?href=")#${re(id)}"`, 'g'), `$1#${p}"`);
  }
  return out;
}

export function htmlTable(header: string[], rows: string[][], cls = ''): string {
  const th = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toPrecision(4) : v.toExponential(3);
}

const CSS = `
body{font-family:'DejaVu Sans',system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#263238;color:#fff;padding:16px 28px}header h1{margin:0;font-size:22px}
main{padding:8px 28px 40px;max-width:1280px}
section.run{background:#fff;border:1px solid #ddd;border-radius:6px;margin:20px 0;padding:8px 20px 20px}
h2{font-size:19px}h3{font-size:16px;margin-top:22px;border-bottom:1px solid #eee;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border:1px solid #e0e0e0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}pre{background:#f6f8fa;padding:8px;font-size:12px;overflow:auto;max-height:320px}
.status-finished{color:#2e7d32}.status-failed{color:#c62828}.status-running{color:#ef6c00}
figure.fig{display:inline-block;margin:10px 16px 10px 0;vertical-align:top}
figure.fig figcaption{font-size:12px;color:#666}
figure.fig .live:empty{display:none}
nav a{margin-right:12px}
nav.toc{background:#fff;border:1px solid #ddd;border-radius:6px;margin:20px 0;padding:4px 20px 12px;font-size:14px}
nav.toc ol{margin:4px 0;padding-left:22px}nav.toc ol ol{font-size:13px;columns:2 320px}
.table-scroll{max-width:100%;overflow-x:auto}
table.overview td{white-space:nowrap}section.run table.summary td{overflow-wrap:anywhere}
`;

/** The whole document: inline style, body, then the inline scripts. */
export function page(title: string, body: string, scripts: string[]): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
${scripts.map((s) => `<script>\n${s}\n</script>`).join('\n')}
</body>
</html>
`;
}
