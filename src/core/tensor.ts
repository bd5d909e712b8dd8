/** Dense row-major tensors: a shape and a flat Float32Array or Float64Array. */
export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

export function allocFloat(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export class Tensor {
  readonly shape: readonly number[];
  readonly data: FloatArray;

  constructor(shape: readonly number[], data: FloatArray) {
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new Error(`Tensor: data has ${data.length} values but shape [${shape.join(', ')}] needs ${n}`);
    }
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  static zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return new Tensor(shape, allocFloat(dtype, sizeOf(shape)));
  }

  static from(shape: readonly number[], values: ArrayLike<number>, dtype: DType = 'float32'): Tensor {
    const data = allocFloat(dtype, values.length);
    data.set(values);
    return new Tensor(shape, data);
  }

  get size(): number {
    return this.data.length;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  get rank(): number {
    return this.shape.length;
  }

  reshape(shape: readonly number[]): Tensor {
    return new Tensor(shape, this.data);
  }

  clone(): Tensor {
    return new Tensor(this.shape, this.data.slice());
  }

  /** A copy in the given dtype (same array when already that dtype and `copy` is false). */
  as(dtype: DType, copy = false): Tensor {
    if (this.dtype === dtype && !copy) return this;
    const out = allocFloat(dtype, this.size);
    out.set(this.data);
    return new Tensor(this.shape, out);
  }

  /** Nested JavaScript arrays, for JSON output. */
  toNested(): unknown {
    const build = (dim: number, offset: number): unknown => {
      const n = this.shape[dim]!;
      if (dim === this.shape.length - 1) return Array.from(this.data.subarray(offset, offset + n));
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return this.shape.length === 0 ? this.data[0] : build(0, 0);
  }
}
