import Router from '@koa/router';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { RoleService } from '../../clients/role-service.ts';
import { emailAddress } from '../../identity/email-address.ts';
import { passwordProblem } from '../../identity/password-policy.ts';
import type { UserService } from '../../identity/user-service.ts';
import { assertCsrf } from '../../interactions/csrf.ts';
import { readForm } from '../../interactions/form.ts';
import { renderPage } from '../../interactions/interaction-context.ts';
import { makeAdmin } from './first-admin.ts';
import type { SetupTokens } from './setup-tokens.ts';

const DEAD_LINK = {
  title: 'This setup link no longer works',
  message:
    'It was already used, replaced at a restart, or has expired. Restart Gatehouse for a new one, or run `gatehouse admin create --email …`.',
};

/** The page behind the one-time link printed at first start. */
export function setupRoutes(deps: {
  tokens: SetupTokens;
  users: UserService;
  roles: RoleService;
  audit: AuditLog;
}): Router {
  const router = new Router();
  router.get('/admin/setup', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (!(await deps.tokens.isLive(token))) return renderPage(ctx, undefined, 'message', DEAD_LINK, 400);
    await renderPage(ctx, undefined, 'admin-setup', { token, email: '', name: '' });
  });

  router.post('/admin/setup', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const token = form.token ?? '';
    if (!(await deps.tokens.isLive(token))) return renderPage(ctx, undefined, 'message', DEAD_LINK, 400);
    const again = (error: string) =>
      renderPage(
        ctx,
        undefined,
        'admin-setup',
        { token, email: form.email ?? '', name: form.name ?? '', error },
        400,
      );
    const email = emailAddress.safeParse(form.email ?? '');
    if (!email.success) return again('Enter a valid email address.');
    const weak = passwordProblem(form.password ?? '', { email: email.data });
    if (weak) return again(weak);
    if (!(await deps.tokens.consume(token))) return renderPage(ctx, undefined, 'message', DEAD_LINK, 400);
    const { user } = await makeAdmin(deps, {
      email: email.data,
      password: form.password ?? '',
      ...(form.name ? { name: form.name } : {}),
    });
    deps.audit.record({
      action: 'admin.setup',
      outcome: 'success',
      actorType: 'system',
      userId: user.id,
      ip: ctx.ip,
      userAgent: ctx.get('user-agent'),
    });
    await renderPage(ctx, undefined, 'message', {
      title: 'Admin created',
      message: `${user.email} is now the administrator. Open the admin API docs to sign in and manage Gatehouse.`,
      link: { href: '/docs', text: 'Open the admin API docs' },
    });
  });
  return router;
}
