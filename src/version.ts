/** The package version, reported by `rnnlens --version` and recorded in runs. */
export const VERSION = '0.1.0';
