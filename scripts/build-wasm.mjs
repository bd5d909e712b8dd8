// Builds the AssemblyScript SIMD kernels (assembly/) into build/kernels.wasm.
// Run by `npm install` (through `prepare`) and by `npm test`; needs no downloads.
import { mkdirSync, statSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'build', 'kernels.wasm');
const srcDir = join(root, 'assembly');
const newest = Math.max(...readdirSync(srcDir).map((f) => statSync(join(srcDir, f)).mtimeMs));
if (existsSync(out) && statSync(out).mtimeMs > newest && !process.argv.includes('--force')) {
  process.exit(0); // up to date
}
mkdirSync(join(root, 'build'), { recursive: true });
const { error, stderr } = await asc.main([
  join(srcDir, 'index.ts'),
  '--outFile', out,
  '--textFile', join(root, 'build', 'kernels.wat'),
  '-O3', '--noAssert', '--runtime', 'stub',
  '--enable', 'simd', '--enable', 'threads',
  '--importMemory', '--sharedMemory',
  '--initialMemory', '256', '--maximumMemory', '65536',
]);
if (error) {
  console.error(stderr.toString());
  console.error(`build-wasm: AssemblyScript compilation failed: ${error.message}`);
  process.exit(1);
}
console.log(`build-wasm: wrote ${out} (${statSync(out).size} bytes)`);
