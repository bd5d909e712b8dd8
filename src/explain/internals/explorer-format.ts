/**
 * The format of `explorer.json`, the unit explorer's data written by internals runs
 * (explorer.ts) and read by the dashboard (web/src/explorer-data.ts). Types only, with no
 * imports, so both the Node build and the dashboard's build read this one declaration.
 */

export interface ExplorerCaps {
  sequences: number;
  steps: number;
  bytes: number;
}

/** The states the explorer keeps: hidden state, LSTM cell state, gate activations. */
export type ExplorerFieldName = 'h' | 'c' | 'gates';

export interface ExplorerField {
  name: ExplorerFieldName;
  /** columns: units for h and c, gate blocks × units for gates */
  width: number;
  lo: number;
  hi: number;
}

export interface ExplorerLayer {
  key: string;
  cell: string;
  units: number;
  gateNames: string[];
  fields: ExplorerField[];
}

export interface ExplorerSequence {
  /** dataset position, as in sequences.json and the projection figures */
  id: string;
  label?: string;
  /** steps of the whole sequence (recurrent steps when they differ from input steps) */
  length: number;
  /** one per kept step (for aligned steps: the tokens covered, or the input range `t3-7`) */
  tokens: string[];
  /** input steps of the sequence, when the recurrent steps differ from them */
  inputLength?: number;
  /** per kept step, the input range [first, last] it reads, when the recurrent steps differ */
  ranges?: [number, number][];
  /** `<layer key>:<field>` → base64 of uint8 [kept steps × width] */
  values: Record<string, string>;
}

export interface ExplorerData {
  format: 'rnnlens-explorer';
  version: 1;
  caps: ExplorerCaps;
  /** analysed sequences, of which `sequences.length` are kept */
  analysed: number;
  layers: ExplorerLayer[];
  sequences: ExplorerSequence[];
}
