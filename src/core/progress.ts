/**
 * Progress of long work. Library code never prints; it calls an optional `onProgress` callback,
 * which the CLI renders as a bar on a terminal or as plain lines otherwise.
 */
export interface Progress {
  /** What is being done, e.g. `train`, `fold 2/5`, `featurise`. */
  task: string;
  done: number;
  total: number;
  /** Extra values to show (loss, accuracy, ...). */
  values?: Record<string, number | string>;
  message?: string;
}

export type ProgressCallback = (p: Progress) => void;
