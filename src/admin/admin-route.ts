import type { Context } from 'koa';
import type { z } from 'zod';
import type { AuditEvent } from '../audit/audit-event.ts';
import type { AdminActor } from './admin-auth.ts';

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface AdminRequest<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly actor: AdminActor;
  readonly ctx: Context;
  /** Records an admin action in the audit trail, with the actor and request filled in. */
  audit(
    event: Omit<AuditEvent, 'actorType' | 'actorId' | 'ip' | 'userAgent' | 'requestId' | 'outcome'>,
  ): void;
}

/**
 * One admin endpoint. The same zod schemas validate the request, check the response, and describe
 * the endpoint in the OpenAPI document, so the documentation cannot drift from the behaviour.
 */
export interface AdminRoute<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
  R extends Schema | undefined = Schema | undefined,
> {
  readonly method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Koa-style path below /admin/api/v1, e.g. `/apps/:clientId`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** The success body; undefined for 204 No Content. */
  readonly response?: R;
  readonly status?: number;
  /** Non-JSON responses (CSV) set the body themselves and declare their media type. */
  readonly produces?: string;
  readonly handler: (
    request: AdminRequest<Infer<P>, Infer<Q>, Infer<B>>,
  ) => Promise<R extends Schema ? z.input<R> : unknown>;
}

/** Keeps each route's types while collecting routes of different shapes in one list. */
export function defineRoute<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
  R extends Schema | undefined,
>(route: AdminRoute<P, Q, B, R>): AdminRoute {
  return route as unknown as AdminRoute;
}
