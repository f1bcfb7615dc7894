import type { NextFunction, Request, Response } from 'express';
import * as z from 'zod';
import { API_ERROR_CODES } from '../../../shared/src/api/api-contracts';
import type { ApiErrorBody, ApiErrorCode } from '../../../shared/src/api/api-contracts';
import type { Logger } from '../logging/logger';
import { isDatabaseUnavailable } from '../postgres/is-database-unavailable';

/**
 * One error catalogue (shared/src/api/api-contracts.ts) and one place that turns errors into
 * responses. Clients get `{ error: { code, message, details? } }`, never a stack trace.
 */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
  get status(): number {
    return API_ERROR_CODES[this.code];
  }
}

export function sendApiError(res: Response, error: ApiError): void {
  const body: ApiErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  res.status(error.status).json(body);
}

/** zod issues as `{ path, message }`, with a `$.a[0].b` path like the config errors. */
export function describeZodError(error: z.core.$ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path:
      '$' +
      issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join(''),
    message: issue.message,
  }));
}

/** Parses with any zod schema: the endpoint contracts in shared/ are zod/mini, the rest classic. */
export function parseOrThrow<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  code: 'BODY_INVALID' | 'QUERY_INVALID',
): z.output<S> {
  const result = z.safeParse(schema, value);
  if (!result.success) {
    throw new ApiError(
      code,
      code === 'BODY_INVALID' ? 'The request body is not valid.' : 'The query string is not valid.',
      describeZodError(result.error),
    );
  }
  return result.data;
}

interface HttpLikeError {
  type?: string;
  status?: number;
  statusCode?: number;
}

export function createErrorMiddleware(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) return;
    if (error instanceof ApiError) {
      sendApiError(res, error);
      return;
    }
    // body-parser's errors carry a type; they are the caller's fault, so they get a 4xx.
    const http = error as HttpLikeError;
    if (http?.type === 'entity.parse.failed') {
      sendApiError(res, new ApiError('BODY_INVALID', 'The request body is not valid JSON.'));
      return;
    }
    if (http?.type === 'entity.too.large') {
      sendApiError(res, new ApiError('BODY_TOO_LARGE', 'The request body is too large.'));
      return;
    }
    const status = http?.status ?? http?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendApiError(res, new ApiError('BODY_INVALID', 'The request could not be read.'));
      return;
    }
    if (isDatabaseUnavailable(error)) {
      logger.error('the database is unavailable', {
        message: error instanceof Error ? error.message : String(error),
        method: req.method,
        path: req.path,
      });
      sendApiError(
        res,
        new ApiError(
          'DATABASE_UNAVAILABLE',
          'The server cannot reach its database right now; try again shortly.',
          undefined,
          { 'Retry-After': '5' },
        ),
      );
      return;
    }
    logger.error('unhandled error', { error, method: req.method, path: req.path });
    sendApiError(
      res,
      new ApiError('INTERNAL_ERROR', 'Something went wrong on the server; it has been logged.'),
    );
  };
}
