/** The dashboard server: JSON API over the run store plus the built web app. */
export { createServer, defaultWebDir, DEFAULT_LIMITS } from './app.js';
export type { ServerLimits, ServerOptions } from './app.js';
export { startServer, DEFAULT_PORT } from './start.js';
export type { RunningServer, StartOptions } from './start.js';
export { HttpError } from './errors.js';
export type { ErrorBody, ErrorCode } from './errors.js';
export { distributionOverEpochs, parseDistributions } from './distribution-figure.js';
export type { DashboardFigure, FigureLink } from './run-figures.js';
