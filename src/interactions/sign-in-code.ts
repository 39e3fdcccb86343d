import type { Context } from 'koa';
import { signInCode } from '../mail/templates.ts';
import type { User } from '../persistence/entities/user.ts';
import { requestAudit } from './audit-context.ts';
import type { Interaction } from './interaction-context.ts';
import type { InteractionDeps } from './interaction-deps.ts';

/**
 * A 6-digit code for this sign-in: emailed to an active account, or, with no account to send it
 * to, a decoy nobody receives, so that guesses count down "tries left" exactly as for a real one
 * and the page cannot tell the two apart.
 */
export async function sendSignInCode(
  ctx: Context,
  deps: InteractionDeps,
  interaction: Interaction,
  user: User | null,
  email: string,
  purpose?: string,
): Promise<void> {
  if (user) {
    const code = await deps.codes.issue(user.id, interaction.uid, 'sign_in');
    deps.outbox.enqueue({
      to: user.email,
      ...(await signInCode({ appName: interaction.settings.name, code, minutes: 10 })),
    });
  } else {
    await deps.codes.issue(null, interaction.uid, 'sign_in');
  }
  deps.audit.record({
    action: 'code.requested',
    outcome: 'success',
    userId: user?.id,
    appId: interaction.client.clientId,
    details: { ...(purpose ? { purpose } : {}), email, sent: user !== null },
    ...requestAudit(ctx),
  });
}
