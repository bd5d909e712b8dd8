/**
 * Argument checks for sequenceForward / sequenceBackward, shared by every backend so that all of
 * them reject the same bad input with the same message: wrong lengths (named with their shape),
 * NaN/Inf in inputs, weights, states and upstream gradients, empty batches or sequences, masks
 * that are not 0/1.
 */
import type { CellSpec, SequenceBackwardArgs, SequenceForwardArgs } from '../backend.js';
import { RECURRENT_ACTIVATIONS, gateCount } from '../backend.js';
import { ArgumentError, checkFinite, checkInt, checkLength, describe } from '../errors.js';

/** Sizes every sequence routine needs. */
export interface SeqDims {
  T: number;
  B: number;
  D: number;
  H: number;
  G: number;
  /** G·H, the width of the gate axis. */
  GH: number;
}

export function checkCell(where: string, cell: CellSpec): void {
  if (!cell || typeof cell !== 'object')
    throw new ArgumentError(where, 'cell', 'a CellSpec object', describe(cell));
  if (cell.kind !== 'rnn' && cell.kind !== 'lstm' && cell.kind !== 'gru') {
    throw new ArgumentError(where, 'cell.kind', "'rnn', 'lstm' or 'gru'", describe(cell.kind));
  }
  checkInt(where, 'cell.inputSize', cell.inputSize, 1);
  checkInt(where, 'cell.hiddenSize', cell.hiddenSize, 1);
  if (cell.activation !== undefined && cell.activation !== 'tanh' && cell.activation !== 'relu') {
    throw new ArgumentError(
      where,
      'cell.activation',
      "'tanh' or 'relu'",
      describe(cell.activation),
    );
  }
  if (cell.resetAfter !== undefined && typeof cell.resetAfter !== 'boolean') {
    throw new ArgumentError(where, 'cell.resetAfter', 'a boolean', describe(cell.resetAfter));
  }
  const ra = cell.recurrentActivation;
  if (ra !== undefined && !RECURRENT_ACTIVATIONS.includes(ra)) {
    throw new ArgumentError(
      where,
      'cell.recurrentActivation',
      "'sigmoid', 'hard_sigmoid' or 'hard_sigmoid_keras3'",
      describe(ra),
    );
  }
  if (cell.kind === 'rnn' && ra !== undefined && ra !== 'sigmoid') {
    throw new ArgumentError(
      where,
      'cell.recurrentActivation',
      "absent or 'sigmoid' (a SimpleRNN cell has no gates)",
      describe(ra),
    );
  }
}

/** Checks the forward arguments and returns the sizes. `where` names the caller, e.g. 'ts.sequenceForward(lstm)'. */
export function checkForwardArgs(where: string, a: SequenceForwardArgs): SeqDims {
  checkCell(where, a.cell);
  const D = a.cell.inputSize;
  const H = a.cell.hiddenSize;
  const G = gateCount(a.cell.kind);
  const GH = G * H;
  // An empty batch or a zero-length sequence has no state to return; a silent empty result would
  // hide a data-loading bug upstream.
  if (!Number.isInteger(a.steps) || a.steps < 1) {
    throw new ArgumentError(
      where,
      'steps',
      'an integer >= 1 (a zero-length sequence has no output)',
      describe(a.steps),
    );
  }
  if (!Number.isInteger(a.batch) || a.batch < 1) {
    throw new ArgumentError(
      where,
      'batch',
      'an integer >= 1 (an empty batch has no output)',
      describe(a.batch),
    );
  }
  const T = a.steps;
  const B = a.batch;
  if (a.outputsOnly && a.keepPreactivations) {
    throw new ArgumentError(
      where,
      'outputsOnly',
      'false or absent when keepPreactivations is set (an outputs-only pass keeps no internals)',
      'true',
    );
  }
  if (a.lastOnly && !a.outputsOnly) {
    throw new ArgumentError(where, 'lastOnly', 'false or absent unless outputsOnly is set (a backward pass needs every step)', 'true');
  }
  if (a.batchMajor && !a.outputsOnly) {
    throw new ArgumentError(where, 'batchMajor', 'false or absent unless outputsOnly is set (a backward pass reads x time-major)', 'true');
  }
  checkLength(where, 'x', a.x, T * B * D, a.batchMajor ? `[B=${B}, T=${T}, D=${D}]` : `[T=${T}, B=${B}, D=${D}]`);
  checkLength(where, 'W', a.W, D * GH, `[D=${D}, G*H=${GH}]`);
  checkLength(where, 'U', a.U, H * GH, `[H=${H}, G*H=${GH}]`);
  checkLength(where, 'bx', a.bx, GH, `[G*H=${GH}]`);
  checkLength(where, 'bh', a.bh, GH, `[G*H=${GH}]`);
  checkFinite(where, 'x', a.x);
  checkFinite(where, 'W', a.W);
  checkFinite(where, 'U', a.U);
  checkFinite(where, 'bx', a.bx);
  checkFinite(where, 'bh', a.bh);
  if (a.mask) {
    checkLength(where, 'mask', a.mask, T * B, `[T=${T}, B=${B}]`);
    for (let i = 0; i < a.mask.length; i++) {
      const m = a.mask[i]!;
      if (m !== 0 && m !== 1)
        throw new ArgumentError(where, 'mask', 'only 0 or 1', `${m} at flat index ${i}`);
    }
  }
  if (a.h0) {
    checkLength(where, 'h0', a.h0, B * H, `[B=${B}, H=${H}]`);
    checkFinite(where, 'h0', a.h0);
  }
  if (a.c0) {
    if (a.cell.kind !== 'lstm') {
      throw new ArgumentError(
        where,
        'c0',
        `null or absent (a ${a.cell.kind} cell has no cell state)`,
        describe(a.c0),
      );
    }
    checkLength(where, 'c0', a.c0, B * H, `[B=${B}, H=${H}]`);
    checkFinite(where, 'c0', a.c0);
  }
  return { T, B, D, H, G, GH };
}

function checkFwdShapes(where: string, a: SequenceBackwardArgs, T: number, B: number, H: number, GH: number): void {
  const f = a.fwd;
  checkLength(where, 'fwd.hs', f.hs, T * B * H, `[T=${T}, B=${B}, H=${H}]`);
  checkLength(where, 'fwd.gates', f.gates, T * B * GH, `[T=${T}, B=${B}, G*H=${GH}]`);
  if (a.cell.kind === 'lstm')
    checkLength(where, 'fwd.cs', f.cs, T * B * H, `[T=${T}, B=${B}, H=${H}]`);
  if (a.cell.kind === 'gru' && a.cell.resetAfter !== false)
    checkLength(where, 'fwd.hn', f.hn, T * B * H, `[T=${T}, B=${B}, H=${H}]`);
}

/**
 * Checks the backward arguments (including that `fwd` has the forward pass's shapes, unless
 * `fwdResident`: the wasm backend found the forward pass's own buffers for exactly these inputs,
 * so their shapes hold and reading `fwd`'s arrays would only copy them out of wasm memory).
 */
export function checkBackwardArgs(where: string, a: SequenceBackwardArgs, fwdResident = false): SeqDims {
  const dims = checkForwardArgs(where, a);
  const { T, B, D, H, GH } = dims;
  const f = a.fwd;
  if (!f || typeof f !== 'object')
    throw new ArgumentError(where, 'fwd', 'the result of sequenceForward', describe(f));
  if (fwdResident) {
    // (the fwd checks below read every array of fwd)
  } else if (f.gates && f.gates.length === 0) {
    throw new ArgumentError(
      where,
      'fwd',
      'the result of a sequenceForward that kept its gates (not outputsOnly)',
      'an outputs-only forward result, which cannot be backpropagated',
    );
  }
  if (!fwdResident) checkFwdShapes(where, a, T, B, H, GH);
  if (a.dOut) {
    checkLength(where, 'dOut', a.dOut, T * B * H, `[T=${T}, B=${B}, H=${H}]`);
    checkFinite(where, 'dOut', a.dOut);
  }
  if (a.dhLast) {
    checkLength(where, 'dhLast', a.dhLast, B * H, `[B=${B}, H=${H}]`);
    checkFinite(where, 'dhLast', a.dhLast);
  }
  if (a.dcLast) {
    if (a.cell.kind !== 'lstm') {
      throw new ArgumentError(
        where,
        'dcLast',
        `null or absent (a ${a.cell.kind} cell has no cell state)`,
        describe(a.dcLast),
      );
    }
    checkLength(where, 'dcLast', a.dcLast, B * H, `[B=${B}, H=${H}]`);
    checkFinite(where, 'dcLast', a.dcLast);
  }
  if (a.grads) {
    checkLength(where, 'grads.W', a.grads.W, D * GH, `[D=${D}, G*H=${GH}]`);
    checkLength(where, 'grads.U', a.grads.U, H * GH, `[H=${H}, G*H=${GH}]`);
    checkLength(where, 'grads.bx', a.grads.bx, GH, `[G*H=${GH}]`);
    checkLength(where, 'grads.bh', a.grads.bh, GH, `[G*H=${GH}]`);
  }
  return dims;
}
