/** The list of CLI commands; each module registers one command (or a group) on the program. */
import type { Command } from 'commander';
import { register as registerRuns } from './runs.js';
import { register as registerReport } from './report.js';
import { register as registerBench } from './bench.js';
import { register as registerTrain } from './train.js';
import { register as registerPredict } from './predict.js';
import { register as registerStart } from './start.js';
import { register as registerInspect } from './inspect.js';
import { register as registerConvert } from './convert.js';
import { register as registerServe } from './serve.js';
import { register as registerInternals } from './internals.js';
import { register as registerCertify } from './certify.js';
import { register as registerCv } from './cv.js';
import { register as registerCompare } from './compare.js';
import { register as registerVerify } from './verify.js';
import { register as registerExplain } from './explain.js';
import { register as registerExplainBench } from './explain-bench.js';

export type Register = (program: Command) => void;

export const commands: Register[] = [];
commands.push(registerRuns);
commands.push(registerReport);
commands.push(registerBench);
commands.push(registerTrain);
commands.push(registerPredict);
commands.push(registerStart);
commands.push(registerInspect);
commands.push(registerConvert);
commands.push(registerServe);
commands.push(registerInternals);
commands.push(registerCertify);
commands.push(registerCv);
commands.push(registerCompare);
commands.push(registerVerify);
commands.push(registerExplain);
commands.push(registerExplainBench);
