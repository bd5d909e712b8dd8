/** The ONNX zoo fixtures (tools/make_onnx_zoo.py) for tests. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR = new URL('../fixtures/onnx-zoo/', import.meta.url).pathname;

export interface Arr {
  shape: number[];
  data: number[];
}

export interface ZooFixture {
  name: string;
  opset: number;
  input: Arr & { dtype: 'float32' | 'int64' };
  output: Arr;
  softmax: boolean;
  target: number;
  gradOutput: Arr;
  grad: Arr & { wrt: 'input' | 'embedding' };
}

export function zooFixtures(): ZooFixture[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as ZooFixture);
}

export function zooBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));
}

