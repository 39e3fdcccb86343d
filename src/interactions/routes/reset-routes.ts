import type Router from '@koa/router';
import { emailAddress } from '../../identity/email-address.ts';
import { passwordProblem } from '../../identity/password-policy.ts';
import { passwordChanged, passwordReset } from '../../mail/templates.ts';
import { requestAudit } from '../audit-context.ts';
import { assertCsrf } from '../csrf.ts';
import { readForm } from '../form.ts';
import { loadInteraction, renderPage } from '../interaction-context.ts';
import { type InteractionDeps, RESET_TTL_SECONDS } from '../interaction-deps.ts';
import { assertPrompt } from '../login-page.ts';
import { refusedPage } from '../rate-limit-page.ts';
import { COULD_NOT_SEND } from './code-routes.ts';

const INVALID_LINK = {
  title: 'This link no longer works',
  message: 'The link is invalid, was already used, or has expired. Request a new one from the sign-in page.',
};

/**
 * Password reset: requested inside a sign-in (same answer for every address), completed from
 * the emailed link in any browser. The link's token alone names the user.
 */
export function resetRoutes(router: Router, deps: InteractionDeps): void {
  router.get('/interaction/:uid/forgot', async (ctx) => {
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'login');
    await renderPage(ctx, interaction, 'forgot', { email: '', sent: false });
  });

  router.post('/interaction/:uid/forgot', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'login');
    const parsed = emailAddress.safeParse(form.email ?? '');
    if (!parsed.success) {
      return renderPage(
        ctx,
        interaction,
        'forgot',
        { email: form.email ?? '', sent: false, error: 'Enter a valid email address.' },
        400,
      );
    }
    if (!deps.outbox.healthy()) {
      return renderPage(
        ctx,
        interaction,
        'forgot',
        { email: parsed.data, sent: false, error: COULD_NOT_SEND },
        503,
      );
    }
    if (await refusedPage(ctx, interaction, await deps.rateLimits.resetRequest(ctx.ip, parsed.data))) return;
    const user = await deps.users.findByEmail(parsed.data);
    if (user?.status === 'active') {
      const token = await deps.tokens.issue(user.id, 'password_reset', RESET_TTL_SECONDS);
      const link = `${deps.issuer}/reset-password?token=${token}`;
      deps.outbox.enqueue({
        to: user.email,
        ...(await passwordReset({ link, minutes: RESET_TTL_SECONDS / 60 })),
      });
    }
    deps.audit.record({
      action: 'password_reset.requested',
      outcome: 'success',
      userId: user?.status === 'active' ? user.id : undefined,
      appId: interaction.client.clientId,
      details: { email: parsed.data, sent: user?.status === 'active' },
      ...requestAudit(ctx),
    });
    await renderPage(ctx, interaction, 'forgot', { email: parsed.data, sent: true });
  });

  router.get('/reset-password', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (await refusedPage(ctx, undefined, await deps.rateLimits.resetConfirm(ctx.ip))) return;
    if (!(await deps.tokens.peek(token, 'password_reset'))) {
      return renderPage(ctx, undefined, 'message', INVALID_LINK, 400);
    }
    await renderPage(ctx, undefined, 'reset', { token });
  });

  router.post('/reset-password', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const token = form.token ?? '';
    const password = form.password ?? '';
    if (await refusedPage(ctx, undefined, await deps.rateLimits.resetConfirm(ctx.ip))) return;
    const userId = await deps.tokens.peek(token, 'password_reset');
    const user = userId ? await deps.users.findById(userId) : null;
    if (user?.status !== 'active') return renderPage(ctx, undefined, 'message', INVALID_LINK, 400);
    // Check the password before using up the link, so a weak choice does not cost the user their link.
    const weak = passwordProblem(password, { email: user.email });
    if (weak) return renderPage(ctx, undefined, 'reset', { token, error: weak }, 400);
    if ((await deps.tokens.consume(token, 'password_reset')) !== user.id) {
      return renderPage(ctx, undefined, 'message', INVALID_LINK, 400);
    }
    await deps.users.setPassword(user.id, password);
    // Mail access proved, and whoever had the old password must lose every session and token.
    if (!user.emailVerified) await deps.users.markEmailVerified(user.id);
    await deps.tokens.revokeAll(user.id, 'password_reset');
    await deps.signOutEverywhere(user.id);
    deps.outbox.enqueue({ to: user.email, ...(await passwordChanged({})) });
    deps.audit.record({
      action: 'password_reset.completed',
      outcome: 'success',
      actorType: 'user',
      actorId: user.id,
      userId: user.id,
      ...requestAudit(ctx),
    });
    await renderPage(ctx, undefined, 'message', {
      title: 'Password changed',
      message:
        'Your password is changed and you were signed out everywhere. Return to your app and sign in with the new password.',
    });
  });

  router.get('/verify-email', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (await refusedPage(ctx, undefined, await deps.rateLimits.resetConfirm(ctx.ip))) return;
    const userId = await deps.tokens.consume(token, 'verify_email');
    if (!userId) return renderPage(ctx, undefined, 'message', INVALID_LINK, 400);
    await deps.users.markEmailVerified(userId);
    deps.audit.record({
      action: 'email.verified',
      outcome: 'success',
      userId,
      details: { via: 'link' },
      ...requestAudit(ctx),
    });
    await renderPage(ctx, undefined, 'message', {
      title: 'Email verified',
      message: 'Thank you: your email address is verified. You can close this page and return to your app.',
    });
  });
}
