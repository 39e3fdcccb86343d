import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Client, InteractionResults } from 'oidc-provider';
import { AppError } from '../shared/app-error.ts';
import { renderView } from '../shared/render-view.ts';
import { type AppSettings, appSettings } from './app-settings.ts';
import { csrfToken } from './csrf.ts';

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface Interaction {
  readonly provider: Provider;
  readonly details: InteractionDetails;
  readonly uid: string;
  readonly client: Client;
  readonly settings: AppSettings;
}

/**
 * The sign-in in progress for this browser. oidc-provider checks the interaction cookie, so a
 * form posted from another browser, or after the interaction expired, fails here.
 */
export async function loadInteraction(ctx: Context, provider: Provider): Promise<Interaction> {
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    throw new AppError(
      'request.invalid',
      'This sign-in has expired or was started in another browser. Go back to the app and sign in again.',
      400,
    );
  }
  if (details.uid !== ctx.params.uid) {
    throw new AppError('request.invalid', 'This sign-in page does not belong to your current sign-in.', 400);
  }
  const client = await provider.Client.find(String(details.params.client_id));
  if (!client) throw new AppError('request.invalid', 'The application is no longer available.', 400);
  return { provider, details, uid: details.uid, client, settings: appSettings(client) };
}

/** Renders a sign-in page with what every page needs: the app, the CSRF token, no caching. */
export async function renderPage(
  ctx: Context,
  interaction: Interaction | undefined,
  view: string,
  data: Record<string, unknown>,
  status = 200,
): Promise<void> {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await renderView(view, {
    uid: interaction?.uid,
    app: interaction ? { name: interaction.settings.name, logo: interaction.settings.logo } : undefined,
    csrf: csrfToken(ctx),
    lang: 'en',
    ...data,
  });
}

/** Hands the result back to oidc-provider and follows its redirect (303: never replay the POST). */
export async function finishInteraction(
  ctx: Context,
  interaction: Interaction,
  result: InteractionResults,
  mergeWithLastSubmission = false,
): Promise<void> {
  const target = await interaction.provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission,
  });
  ctx.redirect(target);
  ctx.status = 303;
}
