/**
 * `rnnlens tts-verify --model TTS --recogniser R [--speaker-model S] --data FSDD --out DIR
 * [--count K] [--seed N] [--json] [--force]`: synthesise every digit in every voice and report
 * intelligibility, speaker similarity, MCD and the largest cross-correlation with a training
 * recording (src/speech/verify-tts.ts). The report is also written to DIR/verification.json and,
 * unless --no-record, recorded as a run of kind tts-verify with the first --record-takes takes of
 * every digit and speaker as audio, their real counterparts and spectrograms (src/speech/tts-run.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { defaultFsddPath } from '../train/recipes.js';
import { loadAnyModel } from '../predict/load.js';
import { RnnlensError } from '../core/errors.js';
import { loadTtsModel } from '../speech/tts-io.js';
import { verifyTts, type GroupScore } from '../speech/verify-tts.js';
import type { ProportionInterval } from '../verify/stats/proportion.js';
import { intOption } from './options.js';
import { createProgressRenderer } from './progress.js';
import { addRecordOptions, recordAnalysis, recordedLine } from '../pipeline/analysis-run.js';
import { verificationMetrics, writeTtsArtifacts, writeVerificationFigures } from '../speech/tts-run.js';

const ci = (p: ProportionInterval): string => `${p.estimate.toFixed(3)} [${p.low.toFixed(3)}, ${p.high.toFixed(3)}] (${p.successes}/${p.n})`;
const rows = (g: GroupScore[]): string[] => g.map((s) => `    ${s.name.padEnd(10)} ${ci(s.interval)}`);

export function register(program: Command): void {
  const cmd = program
    .command('tts-verify')
    .description('verify a synthesiser: intelligibility to the digit recogniser, speaker similarity, MCD, cross-correlation with training recordings')
    .requiredOption('--model <dir>', 'synthesiser folder (fsdd-tts recipe)')
    .requiredOption('--recogniser <dir>', 'digit recogniser (fsdd recipe)')
    .option('--speaker-model <dir>', 'speaker classifier (fsdd-speaker recipe)')
    .option('--data <dir>', 'FSDD recordings (held-out and training takes)')
    .requiredOption('--out <dir>', 'folder for the synthesised files and verification.json')
    .option('--count <k>', 'takes per digit and speaker', intOption('--count'), 1)
    .option('--seed <n>', 'synthesis seed', intOption('--seed', true), 0)
    .option('--iterations <n>', 'Griffin–Lim iterations', intOption('--iterations', true), 60)
    .option('--force', 'replace synthesised files already in --out')
    .option('--json', 'print the report as JSON')
    .option('--record-takes <k>', 'takes per digit and speaker kept in the run as audio and spectrograms', intOption('--record-takes', true), 1);
  addRecordOptions(cmd, 'tts-verify').action(async (o) => {
    const data = o.data ?? defaultFsddPath();
    if (!data) throw new RnnlensError('tts-verify: pass the folder of FSDD recordings with --data PATH');
    const { model, file } = loadTtsModel(o.model);
    const recogniser = await loadAnyModel(o.recogniser);
    const speakerModel = o.speakerModel ? await loadAnyModel(o.speakerModel) : undefined;
    const progress = createProgressRenderer();
    let r;
    try {
      r = verifyTts(model, file.preprocessing, { data, out: o.out, count: o.count, seed: o.seed, force: o.force, iterations: o.iterations, recogniser, speakerModel, onProgress: progress.callback });
    } finally {
      progress.stop();
    }
    writeFileSync(join(o.out, 'verification.json'), JSON.stringify(r, null, 1));
    const config = { data, out: o.out, count: o.count, seed: o.seed, iterations: o.iterations, recogniser: o.recogniser, speakerModel: o.speakerModel ?? null, recordTakes: o.recordTakes };
    const run = await recordAnalysis(o, o.model, { kind: 'tts-verify', config, seed: o.seed, tags: ['fsdd-tts'] }, (w) => {
      w.writeJson('verification.json', r);
      writeVerificationFigures(w, r);
      writeTtsArtifacts(w, r.items, file.preprocessing, { takes: o.recordTakes, data, verification: r });
      return verificationMetrics(r);
    });
    if (o.json) {
      process.stdout.write(JSON.stringify({ ...r, ...(run.id ? { run: run.id } : {}) }) + '\n');
      return;
    }
    const lines = [
      `${r.files} synthesised files in ${o.out} (${r.seconds.synthesis.toFixed(1)} s to synthesise, ${r.seconds.total.toFixed(1)} s in all)`,
      `intelligibility (recogniser accuracy, Wilson 95%): ${ci(r.intelligibility.overall)}`,
      '  per speaker', ...rows(r.intelligibility.perSpeaker),
      '  per digit', ...rows(r.intelligibility.perDigit),
    ];
    if (r.speakerSimilarity) lines.push(`speaker similarity (speaker classifier accuracy): ${ci(r.speakerSimilarity.overall)}`, '  per speaker', ...rows(r.speakerSimilarity.perSpeaker));
    lines.push(
      `mel-cepstral distortion (DTW, 12 coefficients) to held-out takes of the same digit and speaker: ${r.mcd.synthesisedMean.toFixed(2)} dB (real take 5 vs takes 0-4: ${r.mcd.realMean.toFixed(2)} dB)`,
      `  per speaker: ${r.mcd.perSpeaker.map((s) => `${s.name} ${s.mean.toFixed(2)}`).join(', ')}`,
      `max normalised cross-correlation with a training recording of the same digit and speaker: ${r.crossCorrelation.max.toFixed(3)} (${r.crossCorrelation.file} vs ${r.crossCorrelation.against}); mean of per-file maxima ${r.crossCorrelation.mean.toFixed(3)}; real held-out take 0 reaches ${r.crossCorrelation.realHeldOutMax.toFixed(3)}; ${r.crossCorrelation.below ? 'below' : 'NOT below'} 0.9`,
    );
    process.stdout.write(lines.join('\n') + '\n' + recordedLine(run));
  });
}
