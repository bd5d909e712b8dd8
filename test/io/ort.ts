/** Runs an ONNX model in onnxruntime-node (the reference runtime; dev dependency, tests only). */
import * as ort from 'onnxruntime-node';

export interface OrtFeed {
  shape: readonly number[];
  data: ArrayLike<number>;
  dtype: 'float32' | 'int64' | 'int32';
}

export async function runOrt(bytes: Uint8Array, feeds: Record<string, OrtFeed>): Promise<{ shape: number[]; data: number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds)) {
    const data =
      f.dtype === 'int64' ? BigInt64Array.from(Array.from(f.data, (v) => BigInt(v))) : f.dtype === 'int32' ? Int32Array.from(f.data) : Float32Array.from(f.data);
    inputs[name] = new ort.Tensor(f.dtype, data, [...f.shape]);
  }
  const out = await session.run(inputs);
  const first = out[session.outputNames[0]!]!;
  await session.release();
  return { shape: [...first.dims], data: Array.from(first.data as Float32Array) };
}
