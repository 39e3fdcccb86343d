import type Router from '@koa/router';
import { z } from 'zod';
import { emailAddress } from '../../identity/email-address.ts';
import { passwordProblem } from '../../identity/password-policy.ts';
import { registrationAttempt } from '../../mail/templates.ts';
import { AppError } from '../../shared/app-error.ts';
import { requestAudit } from '../audit-context.ts';
import { assertCsrf } from '../csrf.ts';
import { readForm } from '../form.ts';
import { type Interaction, loadInteraction, renderPage } from '../interaction-context.ts';
import { type InteractionDeps, RESET_TTL_SECONDS } from '../interaction-deps.ts';
import { assertPrompt, renderLogin } from '../login-page.ts';
import { codeTarget, refusedPage } from '../rate-limit-page.ts';
import { completeSignIn, renderVerifyPage, sendVerification } from '../sign-in.ts';
import { COULD_NOT_SEND, codeMessage } from './code-routes.ts';

const registration = z.object({
  email: emailAddress,
  password: z.string().max(4096),
  name: z.string().trim().max(200).optional(),
});

function assertRegistrationOpen(interaction: Interaction): void {
  assertPrompt(interaction, 'login');
  if (!interaction.settings.allowRegistration) {
    throw new AppError(
      'request.invalid',
      `${interaction.settings.name} does not take new registrations.`,
      403,
    );
  }
  // Registration makes a password account: an app that signs in only through upstreams has its
  // sign-ups there.
  if (interaction.settings.signInMethods.length === 0) {
    throw new AppError(
      'request.invalid',
      `${interaction.settings.name} signs users in only through the providers on its sign-in page.`,
      403,
    );
  }
}

/**
 * Registration answers an existing email exactly like a new one — "check your email" — and emails
 * the owner instead, so the form cannot be used to find out who has an account. Both paths hash
 * the password, so timing does not tell them apart either.
 */
export function registerRoutes(router: Router, deps: InteractionDeps): void {
  router.get('/interaction/:uid/register', async (ctx) => {
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertRegistrationOpen(interaction);
    await renderPage(ctx, interaction, 'register', { email: '', name: '' });
  });

  router.post('/interaction/:uid/register', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertRegistrationOpen(interaction);
    const again = (error: string, status = 400) =>
      renderPage(
        ctx,
        interaction,
        'register',
        { email: form.email ?? '', name: form.name ?? '', error },
        status,
      );
    const parsed = registration.safeParse(form);
    if (!parsed.success) return again('Enter a valid email address and a password.');
    const { email, password, name } = parsed.data;
    if (await refusedPage(ctx, interaction, await deps.rateLimits.register(ctx.ip, email))) return;
    const weak = passwordProblem(password, { email });
    if (weak) return again(weak);
    if (!deps.outbox.healthy()) return again(COULD_NOT_SEND, 503);

    const existing = await deps.users.findByEmail(email);
    if (existing) {
      await deps.hasher.hash(password);
      // A decoy verification code: wrong guesses on the next page read as they would for a new account.
      await deps.codes.issue(null, interaction.uid, 'verify_email');
      const token = await deps.tokens.issue(existing.id, 'password_reset', RESET_TTL_SECONDS);
      const resetLink = `${deps.issuer}/reset-password?token=${token}`;
      deps.outbox.enqueue({
        to: existing.email,
        ...(await registrationAttempt({ appName: interaction.settings.name, resetLink })),
      });
    }
    const created = existing
      ? undefined
      : await deps.users.create({ email, password, ...(name ? { name } : {}) });
    if (created) await sendVerification(deps, interaction, created);
    deps.audit.record({
      action: 'registration',
      outcome: existing ? 'failure' : 'success',
      ...(existing
        ? { reason: 'email already registered; owner notified', userId: existing.id }
        : { userId: created?.id }),
      appId: interaction.client.clientId,
      details: { email },
      ...requestAudit(ctx),
    });
    await renderVerifyPage(ctx, interaction, email, 'Check your email');
  });

  // The code from the verification email, entered in this sign-in: proves the mailbox, signs in.
  router.post('/interaction/:uid/verify', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'login');
    const email = form.email ?? '';
    if (
      await refusedPage(
        ctx,
        interaction,
        await deps.rateLimits.codeVerify(ctx.ip, codeTarget(interaction.uid)),
      )
    )
      return;
    const result = await deps.codes.verify(interaction.uid, 'verify_email', (form.code ?? '').trim());
    if (result.outcome !== 'ok') {
      const attemptsLeft = result.outcome === 'invalid' ? result.attemptsLeft : 0;
      return renderVerifyPage(
        ctx,
        interaction,
        email,
        'Check your email',
        { error: codeMessage(result.outcome, attemptsLeft) },
        400,
      );
    }
    await deps.rateLimits.succeeded('code', ctx.ip, codeTarget(interaction.uid));
    const user = await deps.users.findById(result.userId);
    if (!user) return renderLogin(ctx, interaction, { error: 'This account no longer exists.', status: 400 });
    await deps.users.markEmailVerified(user.id);
    deps.audit.record({
      action: 'email.verified',
      outcome: 'success',
      userId: user.id,
      details: { via: 'code' },
      ...requestAudit(ctx),
    });
    await completeSignIn(ctx, deps, interaction, { ...user, emailVerified: true }, ['pwd']);
  });

  router.post('/interaction/:uid/verify/resend', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'login');
    const email = form.email ?? '';
    if (!deps.outbox.healthy()) {
      return renderVerifyPage(ctx, interaction, email, 'Check your email', { error: COULD_NOT_SEND }, 503);
    }
    if (await refusedPage(ctx, interaction, await deps.rateLimits.codeSend(ctx.ip, email))) return;
    const user = await deps.users.findByEmail(email);
    if (user?.status === 'active' && !user.emailVerified) await sendVerification(deps, interaction, user);
    else await deps.codes.issue(null, interaction.uid, 'verify_email');
    await renderVerifyPage(ctx, interaction, email, 'Check your email', {
      notice: 'If the address needs verifying, a new code is on its way.',
    });
  });
}
