import type { Context } from 'koa';
import type { z } from 'zod';
import { AppError } from '../shared/app-error.ts';
import type { Logger } from '../shared/logger.ts';
import { InvalidInput } from '../shared/validate.ts';

/** `redirectUris` → `redirect_uris`: the spec spelling callers sent. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** A 400 that names every bad field, for API callers to show next to their inputs. */
export class AdminValidationError extends AppError {
  readonly fields: readonly FieldError[];
  constructor(where: 'params' | 'query' | 'body', error: z.ZodError) {
    super('request.invalid', `the request ${where} is invalid`, 400);
    this.fields = error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
  }
}

/** The admin API's one error body: {"error": {"code", "message", "fields"?}}; 5xx say nothing more. */
export function writeAdminError(ctx: Context, error: unknown, logger: Logger): void {
  const known = error instanceof AppError ? error : undefined;
  const status = known?.status ?? 500;
  if (status >= 500) logger.error({ err: error }, 'admin request failed');
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  if (status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="gatehouse-admin"');
  ctx.body = {
    error: {
      code: known?.code ?? 'internal',
      message: known?.expose ? known.message : 'the server could not handle this request',
      ...(error instanceof AdminValidationError ? { fields: error.fields } : {}),
      // A rule a service checks against stored state (e.g. an unknown upstream) names the body field too.
      ...(error instanceof InvalidInput ? { fields: bodyFields(error) } : {}),
    },
  };
}

/** A service's input is the request body, renamed: map its paths back to the wire's names. */
function bodyFields(error: InvalidInput): FieldError[] {
  return error.issues.map((issue) => ({
    path: [
      'body',
      ...issue.path.map((segment) => (typeof segment === 'string' ? snakeCase(segment) : String(segment))),
    ].join('.'),
    message: issue.message,
  }));
}
