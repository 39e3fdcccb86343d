import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import type { UserService } from '../identity/user-service.ts';
import { requestAudit } from '../interactions/audit-context.ts';
import { assertCsrf } from '../interactions/csrf.ts';
import { readForm } from '../interactions/form.ts';
import { renderPage } from '../interactions/interaction-context.ts';
import type { User } from '../persistence/entities/user.ts';
import type { IdentityLinks } from '../upstreams/identity-links.ts';

export interface AccountDeps {
  readonly getProvider: () => Provider;
  readonly users: UserService;
  readonly identities: IdentityLinks;
  readonly audit: Pick<AuditLog, 'record'>;
}

/**
 * A small page for the signed-in user: which upstream accounts (Google, GitHub…) sign them in,
 * and a way to unlink each. "Signed in" is Gatehouse's own SSO session, the one every app relies on.
 */
export function accountRoutes(deps: AccountDeps): Router {
  const router = new Router();

  async function signedInUser(ctx: Context): Promise<User | undefined> {
    const session = await deps.getProvider().Session.get(ctx);
    const user = session.accountId ? await deps.users.findById(session.accountId) : null;
    return user?.status === 'active' ? user : undefined;
  }

  async function render(ctx: Context, user: User, extra: Record<string, unknown> = {}, status = 200) {
    await renderPage(
      ctx,
      undefined,
      'account',
      { user, identities: await deps.identities.listForUser(user.id), ...extra },
      status,
    );
  }

  const notSignedIn = (ctx: Context) =>
    renderPage(
      ctx,
      undefined,
      'message',
      {
        title: 'Not signed in',
        message: 'Sign in to one of your apps first; this page then shows the account you signed in with.',
      },
      401,
    );

  router.get('/account', async (ctx) => {
    const user = await signedInUser(ctx);
    if (!user) return notSignedIn(ctx);
    await render(ctx, user);
  });

  router.post('/account/identities/:id/unlink', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const user = await signedInUser(ctx);
    if (!user) return notSignedIn(ctx);
    const id = ctx.params.id ?? '';
    const linked = (await deps.identities.listForUser(user.id)).find((identity) => identity.id === id);
    if (!linked) return render(ctx, user, { error: 'That linked account was not found.' }, 404);
    await deps.identities.unlink(user.id, id);
    deps.audit.record({
      action: 'identity.unlinked',
      outcome: 'success',
      actorType: 'user',
      actorId: user.id,
      userId: user.id,
      details: { provider: linked.providerSlug },
      ...requestAudit(ctx),
    });
    await render(ctx, user, { notice: `${linked.providerName} no longer signs you in.` });
  });

  return router;
}
