import type Router from '@koa/router';
import type { Context } from 'koa';
import type { User } from '../../persistence/entities/user.ts';
import { AppError } from '../../shared/app-error.ts';
import type { PendingLink } from '../../upstreams/upstream-attempts.ts';
import { requestAudit } from '../audit-context.ts';
import { assertCsrf } from '../csrf.ts';
import { readForm } from '../form.ts';
import { type Interaction, loadInteraction } from '../interaction-context.ts';
import type { InteractionDeps } from '../interaction-deps.ts';
import { assertPrompt } from '../login-page.ts';
import { codeTarget, refusedPage } from '../rate-limit-page.ts';
import { type Amr, completeSignIn } from '../sign-in.ts';
import { sendSignInCode } from '../sign-in-code.ts';
import { type LinkView, linkIdentity, linkView, renderLinkPage } from '../upstream-account.ts';
import { COULD_NOT_SEND, codeMessage } from './code-routes.ts';

interface LinkInProgress {
  readonly interaction: Interaction;
  readonly pendingId: string;
  readonly link: PendingLink;
  /** Null for a decoy: nothing here can succeed. */
  readonly user: User | null;
  /** The address the proof is about: the account's, or in confirm mode the upstream's. */
  readonly email: string;
  readonly view: LinkView;
}

/**
 * Proving the local account before an upstream identity is linked to it: its password, or a code
 * sent to its mailbox. The link waits server-side, bound to this sign-in; nothing in the form
 * says which account or which upstream identity is meant.
 */
export function linkRoutes(router: Router, deps: InteractionDeps): void {
  async function load(ctx: Context): Promise<{ form: Record<string, string>; step: LinkInProgress }> {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'login');
    const pending = await deps.upstreamAttempts.pending(interaction.uid);
    const user = pending?.link.userId ? await deps.users.findById(pending.link.userId) : null;
    const email = pending?.link.confirm ? pending.link.email : user?.email;
    if (!pending || !email || (!user && !pending.link.confirm)) {
      throw new AppError(
        'request.invalid',
        'There is no account to link in this sign-in. Start again from the app.',
        400,
      );
    }
    const providerName =
      interaction.settings.upstreams.find((button) => button.slug === pending.link.providerSlug)
        ?.displayName ?? pending.link.providerSlug;
    const view = linkView(providerName, email, user, pending.link.confirm);
    return { form, step: { interaction, pendingId: pending.id, link: pending.link, user, email, view } };
  }

  async function finish(ctx: Context, step: LinkInProgress, user: User, amr: Amr[]): Promise<void> {
    if (!(await deps.upstreamAttempts.completeLink(step.pendingId))) {
      throw new AppError('request.invalid', 'This account was already linked in this sign-in.', 400);
    }
    await linkIdentity(ctx, deps, step.interaction, user, step.link, `proved by ${amr.join('+')}`);
    await completeSignIn(
      ctx,
      deps,
      step.interaction,
      user,
      ['fed', ...amr],
      `upstream:${step.link.providerSlug}`,
    );
  }

  router.post('/interaction/:uid/link/password', async (ctx) => {
    const { form, step } = await load(ctx);
    const { user, email } = step;
    if (await refusedPage(ctx, step.interaction, await deps.rateLimits.signIn(ctx.ip, email))) return;
    // One verification whatever the case, so a decoy costs what a real account does.
    const result = await deps.authenticate(email, form.password ?? '');
    if (result.outcome !== 'ok' || !user || result.user.id !== user.id) {
      deps.audit.record({
        action: 'sign_in',
        outcome: 'failure',
        reason: result.outcome === 'disabled' ? 'account disabled' : 'wrong password (linking)',
        userId: user?.id,
        appId: step.interaction.client.clientId,
        details: { method: 'password', email },
        ...requestAudit(ctx),
      });
      const disabled = result.outcome === 'disabled';
      return renderLinkPage(ctx, step.interaction, step.view, {
        error: disabled ? 'This account is disabled.' : 'That password is not right.',
        status: disabled ? 403 : 401,
      });
    }
    await deps.rateLimits.succeeded('password', ctx.ip, email);
    await finish(ctx, step, result.user, ['pwd']);
  });

  router.post('/interaction/:uid/link/code', async (ctx) => {
    const { step } = await load(ctx);
    const { interaction } = step;
    if (!deps.outbox.healthy()) {
      return renderLinkPage(ctx, interaction, step.view, { error: COULD_NOT_SEND, status: 503 });
    }
    if (await refusedPage(ctx, interaction, await deps.rateLimits.codeSend(ctx.ip, step.email))) return;
    await sendSignInCode(ctx, deps, interaction, step.user, step.email, 'link identity');
    await renderLinkPage(ctx, interaction, step.view, { stage: 'code' });
  });

  router.post('/interaction/:uid/link/code/verify', async (ctx) => {
    const { form, step } = await load(ctx);
    const { interaction } = step;
    const target = codeTarget(interaction.uid);
    if (await refusedPage(ctx, interaction, await deps.rateLimits.codeVerify(ctx.ip, target))) return;
    const result = await deps.codes.verify(interaction.uid, 'sign_in', (form.code ?? '').trim());
    if (result.outcome !== 'ok' || !step.user || result.userId !== step.user.id) {
      deps.audit.record({
        action: 'code.failed',
        outcome: 'failure',
        reason: result.outcome,
        userId: step.user?.id,
        appId: interaction.client.clientId,
        details: { purpose: 'link identity' },
        ...requestAudit(ctx),
      });
      const attemptsLeft = result.outcome === 'invalid' ? result.attemptsLeft : 0;
      return renderLinkPage(ctx, interaction, step.view, {
        stage: result.outcome === 'invalid' ? 'code' : 'choose',
        error: codeMessage(result.outcome === 'ok' ? 'none' : result.outcome, attemptsLeft),
        status: 400,
      });
    }
    await deps.rateLimits.succeeded('code', ctx.ip, target);
    let user = step.user;
    if (!user.emailVerified) {
      // The mailbox owner just proved themself on an account someone registered without proving
      // it: a password set then is not theirs, so it goes, and every session made with it ends.
      await deps.users.markEmailVerified(user.id);
      if (user.passwordHash !== null) {
        await deps.users.clearPassword(user.id);
        await deps.signOutEverywhere(user.id);
      }
      user = { ...user, emailVerified: true, passwordHash: null };
    }
    await finish(ctx, step, user, ['otp']);
  });
}
