/**
 * HTTP errors of the API: every failure becomes `{ error: { status, code, message } }` with a
 * status that says whose fault it is (400 malformed, 401 token, 404 unknown, 409 still being
 * written, 413 too large). Nothing a client sends may crash the server: unexpected errors are
 * answered with 500 and the process keeps serving.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ArgumentError, RnnlensError } from '../core/errors.js';

export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'unknown_run'
  | 'unknown_artifact'
  | 'artifact_missing'
  | 'artifact_changed'
  | 'run_in_progress'
  | 'too_large'
  | 'not_found'
  | 'figure_failed'
  | 'host_not_allowed'
  | 'forbidden'
  | 'rate_limited'
  | 'timeout'
  | 'busy'
  | 'range_not_satisfiable'
  | 'internal';

export class HttpError extends RnnlensError {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: { status: number; code: ErrorCode; message: string };
}

export function errorBody(status: number, code: ErrorCode, message: string): ErrorBody {
  return { error: { status, code, message } };
}

/** Maps any thrown value to a status, a code and a message a user can act on. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const fe = err as Partial<FastifyError> & { validation?: unknown; validationContext?: string };
  if (fe && fe.validation) {
    return new HttpError(
      400,
      'bad_request',
      `invalid request ${fe.validationContext ?? ''}: ${fe.message ?? 'validation failed'}`.replace(
        /\s+/g,
        ' ',
      ),
    );
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // fastify's own client errors: malformed JSON, body too large, unsupported media type
    const code: ErrorCode =
      fe.statusCode === 413 ? 'too_large' : fe.statusCode === 404 ? 'not_found' : 'bad_request';
    return new HttpError(fe.statusCode, code, fe.message ?? 'bad request');
  }
  if (err instanceof ArgumentError) return new HttpError(400, 'bad_request', err.message);
  if (err instanceof RnnlensError) return new HttpError(500, 'internal', err.message);
  return new HttpError(
    500,
    'internal',
    `internal error: ${(err as Error)?.message ?? String(err)}`,
  );
}

/** Installs the JSON error handler and the JSON 404 for unknown API routes. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const h = toHttpError(err);
    if (h.status >= 500) request.log.error({ err }, 'request failed');
    void reply
      .code(h.status)
      .type('application/json; charset=utf-8')
      .send(errorBody(h.status, h.code, h.message));
  });
}
