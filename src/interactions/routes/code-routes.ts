import type Router from '@koa/router';
import type { Context } from 'koa';
import { emailAddress } from '../../identity/email-address.ts';
import type { CodeOutcome } from '../../identity/email-code-service.ts';
import { requestAudit } from '../audit-context.ts';
import { assertCsrf } from '../csrf.ts';
import { readForm } from '../form.ts';
import { type Interaction, loadInteraction, renderPage } from '../interaction-context.ts';
import type { InteractionDeps } from '../interaction-deps.ts';
import { assertMethod, assertPrompt, renderLogin } from '../login-page.ts';
import { codeTarget, refusedPage } from '../rate-limit-page.ts';
import { completeSignIn } from '../sign-in.ts';
import { sendSignInCode } from '../sign-in-code.ts';

const COULD_NOT_SEND = 'We could not send the email right now. Please try again in a minute.';

export function codeMessage(outcome: Exclude<CodeOutcome['outcome'], 'ok'>, attemptsLeft = 0): string {
  switch (outcome) {
    case 'invalid':
      return attemptsLeft > 0
        ? `That code is not right. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left.`
        : 'That code is not right.';
    case 'expired':
      return 'That code has expired. Send a new one.';
    case 'exhausted':
      return 'Too many wrong codes. Send a new one.';
    case 'none':
      return 'That code was already used or replaced. Send a new one.';
  }
}

async function renderCodePage(
  ctx: Context,
  interaction: Interaction,
  email: string,
  extra: Record<string, unknown> = {},
  status = 200,
) {
  await renderPage(
    ctx,
    interaction,
    'code',
    { heading: 'Check your email', email, action: 'code/verify', resendAction: 'code/resend', ...extra },
    status,
  );
}

/**
 * Sign-in by emailed code. The request answers identically for unknown, disabled and active
 * accounts; only an active account is sent a code, in the background.
 */
async function requestCode(ctx: Context, deps: InteractionDeps): Promise<void> {
  const form = await readForm(ctx);
  assertCsrf(ctx, form);
  const interaction = await loadInteraction(ctx, deps.getProvider());
  assertPrompt(interaction, 'login');
  assertMethod(interaction, 'email_code');
  const parsed = emailAddress.safeParse(form.email ?? '');
  if (!parsed.success) {
    return renderLogin(ctx, interaction, {
      email: form.email,
      error: 'Enter a valid email address.',
      status: 400,
    });
  }
  if (!deps.outbox.healthy()) {
    return renderLogin(ctx, interaction, { email: parsed.data, error: COULD_NOT_SEND, status: 503 });
  }
  if (await refusedPage(ctx, interaction, await deps.rateLimits.codeSend(ctx.ip, parsed.data))) return;
  const user = await deps.users.findByEmail(parsed.data);
  await sendSignInCode(ctx, deps, interaction, user?.status === 'active' ? user : null, parsed.data);
  await renderCodePage(ctx, interaction, parsed.data);
}

export function codeRoutes(router: Router, deps: InteractionDeps): void {
  router.post('/interaction/:uid/code', (ctx) => requestCode(ctx, deps));
  router.post('/interaction/:uid/code/resend', (ctx) => requestCode(ctx, deps));

  router.post('/interaction/:uid/code/verify', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'login');
    assertMethod(interaction, 'email_code');
    const email = form.email ?? '';
    if (
      await refusedPage(
        ctx,
        interaction,
        await deps.rateLimits.codeVerify(ctx.ip, codeTarget(interaction.uid)),
      )
    )
      return;
    const result = await deps.codes.verify(interaction.uid, 'sign_in', (form.code ?? '').trim());
    if (result.outcome !== 'ok') {
      const attemptsLeft = result.outcome === 'invalid' ? result.attemptsLeft : 0;
      deps.audit.record({
        action: 'code.failed',
        outcome: 'failure',
        reason: result.outcome,
        appId: interaction.client.clientId,
        details: { email },
        ...requestAudit(ctx),
      });
      return renderCodePage(
        ctx,
        interaction,
        email,
        { error: codeMessage(result.outcome, attemptsLeft) },
        400,
      );
    }
    await deps.rateLimits.succeeded('code', ctx.ip, codeTarget(interaction.uid));
    const user = await deps.users.findById(result.userId);
    if (!user) return renderLogin(ctx, interaction, { error: 'This account no longer exists.', status: 400 });
    deps.audit.record({
      action: 'code.used',
      outcome: 'success',
      userId: user.id,
      appId: interaction.client.clientId,
      ...requestAudit(ctx),
    });
    // Receiving the code proves control of the mailbox.
    if (!user.emailVerified) await deps.users.markEmailVerified(user.id);
    await completeSignIn(ctx, deps, interaction, { ...user, emailVerified: true }, ['otp']);
  });
}

export { COULD_NOT_SEND };
