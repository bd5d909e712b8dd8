/**
 * A bump allocator over the shared wasm memory. Every backend call starts with reset(), takes
 * what it needs (64-byte aligned, sizes rounded up to whole f32x4 vectors, so kernels may run
 * whole vectors over the padding), and the next call reuses the space. The memory only grows.
 * Below `floor` lie the buffers of forward passes kept resident for their backward pass
 * (resident.ts); reset() returns to the floor, so other calls never overwrite them.
 */
import { RnnlensError } from '../errors.js';
import type { FloatArray } from '../tensor.js';
import type { WasmMemory } from './module.js';
import { MAXIMUM_PAGES } from './module.js';

/**
 * Byte offsets below this are never handed out: pointer 0 means "absent" to the kernels, and the
 * kernels' static data (the activation constants, from byte 1024) lies below it.
 */
export const BASE = 4096;
const PAGE = 65536;

export class Arena {
  private top = BASE;
  private floorAt = BASE;
  private buf: SharedArrayBuffer;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private u8View: Uint8Array;

  constructor(readonly memory: WasmMemory) {
    this.buf = memory.buffer;
    this.f32View = new Float32Array(this.buf);
    this.i32View = new Int32Array(this.buf);
    this.u8View = new Uint8Array(this.buf);
  }

  reset(): void {
    this.top = this.floorAt;
  }

  /** Start of the space every call may reuse; everything below is kept. */
  get floor(): number {
    return this.floorAt;
  }

  /** Moves the floor (to the current top to keep what was allocated, down to release). */
  setFloor(at: number): void {
    this.floorAt = Math.max(BASE, at);
    if (this.top < this.floorAt) this.top = this.floorAt;
  }

  /** Current high-water mark (bytes), for tests and diagnostics. */
  get used(): number {
    return this.top;
  }

  /** Reserves `bytes` (rounded up to 64) and returns the byte offset. Contents are not cleared. */
  allocBytes(bytes: number): number {
    const p = this.top;
    this.top = p + Math.ceil(Math.max(bytes, 16) / 64) * 64;
    this.ensure(this.top);
    return p;
  }

  /** Reserves n floats (not cleared). */
  alloc(n: number): number {
    return this.allocBytes(n * 4);
  }

  /** Reserves n floats set to 0. */
  zeros(n: number): number {
    const p = this.alloc(n);
    this.f32.fill(0, p >> 2, (p >> 2) + Math.ceil(n / 4) * 4);
    return p;
  }

  /** Copies `src` in (converting to float32) and returns its offset. */
  copyIn(src: ArrayLike<number> & { length: number }): number {
    const p = this.alloc(src.length);
    this.f32.set(src as FloatArray, p >> 2);
    return p;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    if (have / PAGE + pages > MAXIMUM_PAGES) {
      throw new RnnlensError(
        `wasm backend: needs ${Math.ceil(end / 2 ** 20)} MiB of memory, more than the 4 GiB a wasm memory can hold`,
      );
    }
    // grow by at least a quarter so repeated growth stays rare
    this.memory.grow(
      Math.min(MAXIMUM_PAGES - have / PAGE, Math.max(pages, Math.ceil(have / PAGE / 4))),
    );
  }

  /** Views over the current buffer (refreshed after growth). */
  get f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  get i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }

  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  private refresh(): void {
    if (this.memory.buffer.byteLength !== this.buf.byteLength) {
      this.buf = this.memory.buffer;
      this.f32View = new Float32Array(this.buf);
      this.i32View = new Int32Array(this.buf);
      this.u8View = new Uint8Array(this.buf);
    }
  }
}
