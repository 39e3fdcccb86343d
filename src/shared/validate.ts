import type { z } from 'zod';
import { AppError } from './app-error.ts';

/** Parses input at an edge; every problem goes into one 400 with field paths. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  throw Object.assign(new AppError('request.invalid', details.join('; '), 400), { details });
}
