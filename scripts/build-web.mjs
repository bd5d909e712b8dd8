// Builds the dashboard (web/) with Vite into web/dist, or into another folder:
//   node scripts/build-web.mjs [--out <dir>]
// Also importable: `await buildWeb({ outDir })` (the browser tests build into a temporary folder).
import { resolve } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const webRoot = resolve(root, 'web');

export async function buildWeb({ outDir = resolve(webRoot, 'dist'), quiet = true } = {}) {
  const { build } = await import('vite');
  await build({
    configFile: resolve(webRoot, 'vite.config.ts'),
    root: webRoot,
    logLevel: quiet ? 'warn' : 'info',
    build: { outDir: resolve(outDir), emptyOutDir: true },
  });
  return resolve(outDir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const outDir = i > 0 ? process.argv[i + 1] : undefined;
  const t0 = Date.now();
  const dir = await buildWeb({ outDir, quiet: false });
  console.log(
    `build-web: dashboard built into ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}
