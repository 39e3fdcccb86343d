import type { Context } from 'koa';
import { AppError } from '../shared/app-error.ts';

const LIMIT_BYTES = 16 * 1024;

/**
 * Reads an application/x-www-form-urlencoded body into single values. Sign-in forms are tiny, so
 * the limit is small; a repeated field is refused rather than guessed at.
 */
export async function readForm(ctx: Context): Promise<Record<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new AppError('request.invalid', 'this form must be submitted from its page', 400);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT_BYTES) throw new AppError('request.too_large', 'the form is too large', 413);
    chunks.push(chunk);
  }
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
    if (key in form) throw new AppError('request.invalid', 'the form was tampered with', 400);
    // No text field holds NUL, and PostgreSQL cannot store it: refuse it here rather than fail later.
    if (key.includes('\u0000') || value.includes('\u0000')) {
      throw new AppError('request.invalid', 'the form contains characters that are not allowed', 400);
    }
    form[key] = value;
  }
  return form;
}
