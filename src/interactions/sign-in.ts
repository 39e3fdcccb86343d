import type { Context } from 'koa';
import { verifyEmail } from '../mail/templates.ts';
import type { User } from '../persistence/entities/user.ts';
import { requestAudit } from './audit-context.ts';
import { finishInteraction, type Interaction, renderPage } from './interaction-context.ts';
import type { InteractionDeps } from './interaction-deps.ts';
import { VERIFY_LINK_TTL_SECONDS } from './interaction-deps.ts';

/** RFC 8176 values, plus `fed` (federated: an upstream provider vouched for the user). */
export type Amr = 'pwd' | 'otp' | 'fed';

/**
 * The last step of every sign-in method: the account must be active, and verified when the app
 * requires it (then the user proves the mailbox with a code first). Only then does oidc-provider
 * learn who signed in.
 */
export async function completeSignIn(
  ctx: Context,
  deps: InteractionDeps,
  interaction: Interaction,
  user: User,
  amr: Amr[],
  method: string = amr.includes('otp') ? 'email_code' : 'password',
): Promise<void> {
  if (user.status !== 'active') {
    await renderPage(
      ctx,
      interaction,
      'message',
      {
        title: 'Account disabled',
        message: 'This account is disabled. Contact your administrator.',
      },
      403,
    );
    return;
  }
  if (interaction.settings.requireVerifiedEmail && !user.emailVerified) {
    await sendVerification(deps, interaction, user);
    await renderVerifyPage(ctx, interaction, user.email, 'Verify your email to continue');
    return;
  }
  await deps.users.recordSignIn(user.id);
  deps.audit.record({
    action: 'sign_in',
    outcome: 'success',
    actorType: 'user',
    actorId: user.id,
    userId: user.id,
    appId: interaction.client.clientId,
    details: { method },
    ...requestAudit(ctx),
  });
  await finishInteraction(ctx, interaction, { login: { accountId: user.id, amr, remember: true } });
}

/** A verification email with both a link (works anywhere) and a code (for this sign-in). */
export async function sendVerification(
  deps: InteractionDeps,
  interaction: Interaction,
  user: User,
): Promise<void> {
  const code = await deps.codes.issue(user.id, interaction.uid, 'verify_email');
  const token = await deps.tokens.issue(user.id, 'verify_email', VERIFY_LINK_TTL_SECONDS);
  const link = `${deps.issuer}/verify-email?token=${token}`;
  deps.outbox.enqueue({
    to: user.email,
    ...(await verifyEmail({ appName: interaction.settings.name, link, code, minutes: 10 })),
  });
}

export async function renderVerifyPage(
  ctx: Context,
  interaction: Interaction,
  email: string,
  heading: string,
  extra: Record<string, unknown> = {},
  status = 200,
): Promise<void> {
  await renderPage(
    ctx,
    interaction,
    'code',
    { heading, email, action: 'verify', resendAction: 'verify/resend', ...extra },
    status,
  );
}
