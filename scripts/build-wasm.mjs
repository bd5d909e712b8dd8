// Builds the AssemblyScript SIMD kernels (assembly/) into build/kernels.wasm (f32x4 SIMD) and
// build/kernels-relaxed.wasm (the same with relaxed-SIMD fused multiply-adds, used when the
// runtime supports them; src/core/wasm/module.ts chooses).
// Run by `npm install` (through `prepare`) and by `npm test`; needs no downloads.
import { mkdirSync, statSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = new URL('..', import.meta.url).pathname;
const srcDir = join(root, 'assembly');
const targets = [
  {
    out: join(root, 'build', 'kernels.wasm'),
    text: join(root, 'build', 'kernels.wat'),
    features: ['simd', 'threads'],
  },
  {
    out: join(root, 'build', 'kernels-relaxed.wasm'),
    text: null,
    features: ['simd', 'threads', 'relaxed-simd'],
  },
];
const newest = Math.max(
  ...readdirSync(srcDir).map((f) => statSync(join(srcDir, f)).mtimeMs),
  statSync(fileURLToPath(import.meta.url)).mtimeMs,
);
const upToDate = targets.every((t) => existsSync(t.out) && statSync(t.out).mtimeMs > newest);
if (upToDate && !process.argv.includes('--force')) process.exit(0);
mkdirSync(join(root, 'build'), { recursive: true });
for (const t of targets) {
  const { error, stderr } = await asc.main([
    join(srcDir, 'index.ts'),
    '--outFile',
    t.out,
    ...(t.text ? ['--textFile', t.text] : []),
    '-O3',
    '--noAssert',
    '--runtime',
    'stub',
    ...t.features.flatMap((f) => ['--enable', f]),
    '--importMemory',
    '--sharedMemory',
    '--initialMemory',
    '256',
    '--maximumMemory',
    '65536',
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: AssemblyScript compilation failed: ${error.message}`);
    process.exit(1);
  }
  console.log(`build-wasm: wrote ${t.out} (${statSync(t.out).size} bytes)`);
}
