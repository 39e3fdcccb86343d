import type Router from '@koa/router';
import { requestAudit } from '../audit-context.ts';
import { assertCsrf } from '../csrf.ts';
import { readForm } from '../form.ts';
import { loadInteraction } from '../interaction-context.ts';
import type { InteractionDeps } from '../interaction-deps.ts';
import { assertMethod, assertPrompt, renderLogin } from '../login-page.ts';
import { refusedPage } from '../rate-limit-page.ts';
import { completeSignIn } from '../sign-in.ts';

export function passwordRoute(router: Router, deps: InteractionDeps): void {
  router.post('/interaction/:uid/password', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'login');
    assertMethod(interaction, 'password');
    const email = (form.email ?? '').trim();
    const password = form.password ?? '';
    if (!email || !password) {
      return renderLogin(ctx, interaction, { email, error: 'Enter your email and password.', status: 400 });
    }
    // Counted before the password is checked, so a parallel burst cannot outrun the limit.
    const limited = await deps.rateLimits.signIn(ctx.ip, email);
    if (limited) {
      deps.audit.record({
        action: 'sign_in',
        outcome: 'failure',
        reason: `rate limited (${limited.limit})`,
        appId: interaction.client.clientId,
        details: { method: 'password', email },
        ...requestAudit(ctx),
      });
    }
    if (await refusedPage(ctx, interaction, limited)) return;
    const result = await deps.authenticate(email, password);
    if (result.outcome !== 'ok') {
      deps.audit.record({
        action: 'sign_in',
        outcome: 'failure',
        reason: result.outcome === 'disabled' ? 'account disabled' : 'wrong email or password',
        appId: interaction.client.clientId,
        details: { method: 'password', email },
        ...requestAudit(ctx),
      });
    }
    if (result.outcome === 'disabled') {
      return renderLogin(ctx, interaction, {
        email,
        error: 'This account is disabled. Contact your administrator.',
        status: 403,
      });
    }
    if (result.outcome === 'invalid') {
      // The same words, status and timing whether or not the account exists.
      return renderLogin(ctx, interaction, { email, error: 'Wrong email or password.', status: 401 });
    }
    await deps.rateLimits.succeeded('password', ctx.ip, email);
    await completeSignIn(ctx, deps, interaction, result.user, ['pwd']);
  });
}
