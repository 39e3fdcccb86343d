import { z } from 'zod';
import { AdminValidationError, snakeCase } from '../admin-errors.ts';

export { snakeCase };

/**
 * A request body in spec spelling that becomes a service's camelCase input. The wire object checks
 * each field (so most errors already name `body.redirect_uris.0`); the service schema then checks
 * the rules that relate fields, and its issues are renamed to the wire spelling, so callers see one
 * vocabulary. The OpenAPI document describes the wire object (the input side).
 */
export function wireBody<W extends z.ZodObject, S extends z.ZodType>(
  wire: W,
  toService: (body: z.output<W>) => z.input<S>,
  service: S,
) {
  // strict(): an unknown key is a mistake to report (a camelCase `redirectUris`), not to drop.
  return (wire.strict() as unknown as W).transform((body, ctx): z.output<S> => {
    // zod runs transforms after non-fatal issues (unknown keys): do not pile derived ones on top.
    if (ctx.issues.length > 0) return z.NEVER;
    const result = service.safeParse(toService(body));
    if (result.success) return result.data;
    for (const issue of wireIssues(result.error)) ctx.addIssue(issue);
    return z.NEVER;
  });
}

function wireIssues(error: z.ZodError) {
  return error.issues.map((issue) => ({
    code: 'custom' as const,
    message: issue.message,
    path: issue.path.map((segment) => (typeof segment === 'string' ? snakeCase(segment) : segment)),
  }));
}

/**
 * Checks camelCase service input inside a handler (when the rule needs stored state, such as an
 * app's type) and fails like edge validation: a 400 naming the wire fields.
 */
export function assertWire(schema: z.ZodType, value: unknown, where: 'params' | 'query' | 'body'): void {
  const result = schema.safeParse(value);
  if (!result.success) throw new AdminValidationError(where, new z.ZodError(wireIssues(result.error)));
}

/** Drops keys left undefined, so a PATCH changes only what the caller sent. */
export function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** Timestamps travel as RFC 3339 strings. */
export const timestamp = z.iso.datetime();
export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** An id in a path: bounded, so nothing absurd reaches a query; unknown ones are 404s. */
export const pathId = (description: string) => z.string().min(1).max(256).describe(description);

/** A positive integer from a query string (`?limit=20`). */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,6}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
