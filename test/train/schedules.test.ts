import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSchedule, LrSchedule } from '../../src/train/schedules.js';
import { assertClose, fixture } from './helpers.js';

interface ScheduleCase {
  name: string;
  config: Record<string, unknown>;
  metrics?: number[];
  lrs: number[];
}

const cases = fixture<ScheduleCase[]>('schedules.json');

function sequence(c: ScheduleCase, from: LrSchedule, epochs: number): number[] {
  const out: number[] = [];
  for (let e = from.epoch; e < epochs; e++) out.push(from.step(c.metrics?.[e]));
  return out;
}

for (const c of cases) {
  test(`schedule matches PyTorch's lr sequence: ${c.name}`, () => {
    const target = { lr: 0.1 };
    const s = createSchedule(target, c.config);
    const lrs = [target.lr, ...sequence(c, s, c.lrs.length - 1)];
    assertClose(lrs, c.lrs, 1e-12, 1e-15, 'lr');
    assert.equal(target.lr, lrs[lrs.length - 1]);
  });

  test(`schedule resumes from JSON state with the identical sequence: ${c.name}`, () => {
    const full = sequence(c, createSchedule({ lr: 0.1 }, c.config), c.lrs.length - 1);
    const first = createSchedule({ lr: 0.1 }, c.config);
    const head = sequence(c, first, 13);
    const saved = JSON.parse(JSON.stringify(first.state()));
    const resumed = createSchedule({ lr: 0.1 }, c.config);
    resumed.loadState(saved);
    assert.deepEqual([...head, ...sequence(c, resumed, c.lrs.length - 1)], full);
  });
}

test('plateau reads the optimiser lr at reduction time and needs a metric', () => {
  const target = { lr: 1 };
  const s = createSchedule(target, { type: 'plateau', patience: 0, factor: 0.5 });
  s.step(1);
  target.lr = 0.2; // e.g. changed by hand
  assert.equal(s.step(2), 0.1);
  assert.throws(() => s.step(), /metric.*finite validation metric/);
  assert.throws(() => s.step(Number.NaN), /metric/);
});

test('schedules reject bad configs and mismatched state', () => {
  assert.throws(() => createSchedule({ lr: 0.1 }, { type: 'step' }), /stepSize/);
  assert.throws(() => createSchedule({ lr: 0.1 }, { type: 'cosine', tMax: 0 }), /tMax/);
  assert.throws(() => createSchedule({ lr: 0.1 }, { type: 'plateau', factor: 2 }), /factor/);
  assert.throws(() => createSchedule({ lr: 0.1 }, { type: 'linear' }), /invalid schedule config/);
  const a = createSchedule({ lr: 0.1 }, { type: 'exponential', gamma: 0.5 });
  assert.throws(
    () => createSchedule({ lr: 0.1 }, { type: 'step', stepSize: 2 }).loadState(a.state()),
    /state\.type/,
  );
  assert.throws(
    () => createSchedule({ lr: 0.2 }, { type: 'exponential', gamma: 0.5 }).loadState(a.state()),
    /baseLr/,
  );
});
