import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../shared/app-error.ts';
import { UpstreamFailure, type UpstreamFailureReason } from '../../upstreams/upstream-failure.ts';
import { interactionOfState } from '../../upstreams/upstream-sign-in.ts';
import { upstreamSlug } from '../../upstreams/upstream-slug.ts';
import { requestAudit } from '../audit-context.ts';
import { assertCsrf } from '../csrf.ts';
import { readForm } from '../form.ts';
import { type Interaction, loadInteraction } from '../interaction-context.ts';
import type { InteractionDeps } from '../interaction-deps.ts';
import { assertPrompt, renderLogin } from '../login-page.ts';
import { refusedPage } from '../rate-limit-page.ts';
import { signInUpstreamUser } from '../upstream-account.ts';

const MAX_CALLBACK_QUERY = 8 * 1024;

const offered = (interaction: Interaction) => interaction.settings.upstreams.map((button) => button.slug);

function providerName(interaction: Interaction, slug: string): string {
  return interaction.settings.upstreams.find((button) => button.slug === slug)?.displayName ?? slug;
}

function failureMessage(reason: UpstreamFailureReason, name: string): { text: string; status: number } {
  switch (reason) {
    case 'cancelled':
      return { text: `Signing in with ${name} was cancelled. Choose a way to sign in.`, status: 200 };
    case 'refused':
      return { text: `${name} could not sign you in. Try again, or sign in another way.`, status: 400 };
    case 'unreachable':
      return {
        text: `${name} cannot be reached right now. Try again later, or sign in another way.`,
        status: 502,
      };
  }
}

function notOffered(interaction: Interaction): AppError {
  return new AppError(
    'request.invalid',
    `${interaction.settings.name} does not allow this way of signing in.`,
    403,
  );
}

/**
 * Upstream sign-in. The trip starts from a form on the sign-in page (POST, CSRF-checked), and
 * comes back to the one fixed URL registered at the upstream, which sends the browser on under
 * `/interaction/<uid>/`: only there does the browser present the interaction cookie, so only there
 * can the sign-in be finished, and only in the browser that started it.
 */
export function upstreamRoutes(router: Router, deps: InteractionDeps): void {
  const failed = async (ctx: Context, interaction: Interaction, slug: string, failure: UpstreamFailure) => {
    deps.logger.warn(
      { upstream: slug, reason: failure.reason, detail: failure.message },
      'upstream sign-in failed',
    );
    deps.audit.record({
      action: 'sign_in',
      outcome: 'failure',
      reason: `upstream ${failure.reason}`,
      appId: interaction.client.clientId,
      details: { method: `upstream:${slug}` },
      ...requestAudit(ctx),
    });
    const { text, status } = failureMessage(failure.reason, providerName(interaction, slug));
    return renderLogin(ctx, interaction, status === 200 ? { notice: text } : { error: text, status });
  };

  router.post('/interaction/:uid/upstream/:slug', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'login');
    const slug = ctx.params.slug ?? '';
    if (!offered(interaction).includes(slug)) throw notOffered(interaction);
    if (await refusedPage(ctx, interaction, await deps.rateLimits.upstream(ctx.ip))) return;
    let url: string | undefined;
    try {
      url = await deps.upstreamSignIn.start(ctx, slug, offered(interaction), interaction.uid);
    } catch (error) {
      if (error instanceof UpstreamFailure) return failed(ctx, interaction, slug, error);
      throw error;
    }
    if (!url) throw notOffered(interaction);
    ctx.redirect(url);
    ctx.status = 303;
  });

  router.get('/upstream/:slug/callback', (ctx) => {
    const slug = upstreamSlug.safeParse(ctx.params.slug);
    const state = new URLSearchParams(ctx.querystring).get('state');
    const uid = interactionOfState(state);
    if (!slug.success || !uid || ctx.querystring.length > MAX_CALLBACK_QUERY) {
      throw new AppError(
        'request.invalid',
        'This sign-in response is not valid. Go back to the app and sign in again.',
        400,
      );
    }
    ctx.redirect(`/interaction/${uid}/upstream/${slug.data}/callback?${ctx.querystring}`);
    ctx.status = 303;
  });

  router.get('/interaction/:uid/upstream/:slug/callback', async (ctx) => {
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'login');
    const slug = ctx.params.slug ?? '';
    if (ctx.querystring.length > MAX_CALLBACK_QUERY) {
      throw new AppError('request.invalid', 'This sign-in response is not valid.', 400);
    }
    let result: Awaited<ReturnType<InteractionDeps['upstreamSignIn']['finish']>>;
    try {
      result = await deps.upstreamSignIn.finish(
        ctx,
        slug,
        offered(interaction),
        interaction.uid,
        new URLSearchParams(ctx.querystring),
      );
    } catch (error) {
      if (error instanceof UpstreamFailure) return failed(ctx, interaction, slug, error);
      throw error;
    }
    if (result === 'not_offered') throw notOffered(interaction);
    if (result === 'replayed') {
      deps.audit.record({
        action: 'sign_in',
        outcome: 'failure',
        reason: 'upstream callback replayed or foreign',
        appId: interaction.client.clientId,
        details: { method: `upstream:${slug}` },
        ...requestAudit(ctx),
      });
      throw new AppError(
        'request.invalid',
        'This sign-in response was already used, or belongs to another sign-in. Start again from the app.',
        400,
      );
    }
    await signInUpstreamUser(ctx, deps, interaction, result);
  });
}
