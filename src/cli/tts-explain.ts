/**
 * `rnnlens tts-explain --model TTS [--top N] [--seed N] [--json]`: which decoder units carry the
 * digit and which the speaker (variance split over every digit in every voice), and how much of
 * each output step the digit and speaker embeddings account for (gradient × input), per layer and
 * over the word (src/speech/interpret.ts).
 */
import type { Command } from 'commander';
import { loadTtsModel } from '../speech/tts-io.js';
import { attributeConditioning, unitVarianceSplit } from '../speech/interpret.js';
import { intOption } from './options.js';

export function register(program: Command): void {
  program
    .command('tts-explain')
    .description("a synthesiser's internals: units that carry the digit vs the speaker, attribution of output frames to the conditioning")
    .requiredOption('--model <dir>', 'synthesiser folder (fsdd-tts recipe)')
    .option('--top <n>', 'units to list per factor', intOption('--top'), 5)
    .option('--seed <n>', 'synthesis seed', intOption('--seed', true), 0)
    .option('--json', 'print JSON')
    .action((o) => {
      const { model } = loadTtsModel(o.model);
      const c = model.config;
      const units = unitVarianceSplit(model, o.seed);
      const layers = [...new Set(units.map((u) => u.layer))];
      const perLayer = layers.map((layer) => {
        const us = units.filter((u) => u.layer === layer);
        const w = us.reduce((s, u) => s + u.variance, 0);
        const share = (k: 'digitShare' | 'speakerShare') => (w > 0 ? us.reduce((s, u) => s + u[k] * u.variance, 0) / w : 0);
        const top = (k: 'digitShare' | 'speakerShare') => [...us].sort((a, b) => b[k] - a[k]).slice(0, o.top).map((u) => ({ unit: u.unit, share: u[k] }));
        return { layer, digitShare: share('digitShare'), speakerShare: share('speakerShare'), digitUnits: top('digitShare'), speakerUnits: top('speakerShare'), digitMajority: us.filter((u) => u.digitShare > 0.5).length, speakerMajority: us.filter((u) => u.speakerShare > 0.5).length, units: us.length };
      });
      // attribution: every digit in the first voice and every voice saying the first digit
      const attr = [...c.digits.map((d) => attributeConditioning(model, d, c.speakers[0]!, o.seed)), ...c.speakers.slice(1).map((s) => attributeConditioning(model, c.digits[0]!, s, o.seed))];
      const abs = (v: number[]) => v.reduce((s, x) => s + Math.abs(x), 0);
      const totalD = attr.reduce((s, a) => s + abs(a.digitAttribution), 0);
      const totalS = attr.reduce((s, a) => s + abs(a.speakerAttribution), 0);
      const third = (a: number[], i: number) => {
        const n = a.length;
        return abs(a.slice(Math.floor((i * n) / 3), Math.floor(((i + 1) * n) / 3)));
      };
      const thirds = [0, 1, 2].map((i) => {
        const d = attr.reduce((s, a) => s + third(a.digitAttribution, i), 0);
        const sp = attr.reduce((s, a) => s + third(a.speakerAttribution, i), 0);
        return d + sp > 0 ? d / (d + sp) : 0;
      });
      const report = { perLayer, attribution: { digitShare: totalD / (totalD + totalS), digitShareByThird: thirds, words: attr } };
      if (o.json) {
        process.stdout.write(JSON.stringify(report) + '\n');
        return;
      }
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      const lines: string[] = ['variance of each unit\'s mean activation over every digit in every voice, split into the digit and the speaker main effects:'];
      for (const l of perLayer) {
        lines.push(`  ${l.layer}: digit ${pct(l.digitShare)}, speaker ${pct(l.speakerShare)} (variance-weighted); ${l.digitMajority} of ${l.units} units mostly digit, ${l.speakerMajority} mostly speaker`);
        lines.push(`    digit units   ${l.digitUnits.map((u) => `${u.unit} (${pct(u.share)})`).join(', ')}`);
        lines.push(`    speaker units ${l.speakerUnits.map((u) => `${u.unit} (${pct(u.share)})`).join(', ')}`);
      }
      lines.push(`gradient × input of each step's mean output on the conditioning (${attr.length} words): digit embedding ${pct(report.attribution.digitShare)} of |attribution|, speaker ${pct(1 - report.attribution.digitShare)}`);
      lines.push(`  digit share by third of the word: ${thirds.map(pct).join(', ')}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
