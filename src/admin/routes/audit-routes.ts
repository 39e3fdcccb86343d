import { Readable } from 'node:stream';
import { type AdminRoute, defineRoute } from '../admin-route.ts';
import {
  auditFilterQuery,
  auditListQuery,
  auditPageView,
  toAuditEventView,
  toAuditFilter,
} from '../schemas/audit-schemas.ts';
import type { AdminServices } from './index.ts';

const tag = 'Audit';

export function auditRoutes({ audit: trail }: AdminServices): AdminRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/audit-events',
      summary: 'Audit events, newest first, keyset-paginated (pass next_cursor back as cursor)',
      tag,
      query: auditListQuery,
      response: auditPageView,
      handler: async ({ query }) => {
        const page = await trail.list(toAuditFilter(query));
        return { events: page.events.map(toAuditEventView), next_cursor: page.nextCursor };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/audit-events.csv',
      summary: 'Every audit event matching the filters, as CSV (streamed, header first)',
      tag,
      query: auditFilterQuery,
      produces: 'text/csv',
      handler: async ({ query, ctx }) => {
        // csv() validates now, so a bad filter is still a JSON 400 and not a broken download.
        const rows = trail.csv(toAuditFilter(query));
        ctx.status = 200;
        ctx.type = 'text/csv; charset=utf-8';
        ctx.set('Content-Disposition', 'attachment; filename="audit.csv"');
        ctx.set('Cache-Control', 'no-store');
        ctx.body = Readable.from(rows);
      },
    }),
  ];
}
