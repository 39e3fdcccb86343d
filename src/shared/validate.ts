import type { z } from 'zod';
import { AppError } from './app-error.ts';

export interface InputIssue {
  /** Where in the input, as the domain names it (camelCase keys, array indexes). */
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** A 400 that lists every problem with its place in the input, so an API can name the fields. */
export class InvalidInput extends AppError {
  readonly issues: readonly InputIssue[];
  /** `path: message` lines, as the message joins them. */
  readonly details: readonly string[];

  constructor(issues: readonly InputIssue[]) {
    const details = issues.map((issue) => `${issue.path.map(String).join('.') || 'input'}: ${issue.message}`);
    super('request.invalid', details.join('; '), 400);
    this.issues = issues;
    this.details = details;
  }
}

/** Parses input at an edge; every problem goes into one 400 with field paths. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidInput(result.error.issues.map((issue) => ({ path: issue.path, message: issue.message })));
}
