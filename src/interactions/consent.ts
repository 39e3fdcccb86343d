import type { Context } from 'koa';
import { AppError } from '../shared/app-error.ts';
import { finishInteraction, type Interaction, renderPage } from './interaction-context.ts';
import type { InteractionDeps } from './interaction-deps.ts';

const DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are',
  profile: 'Your name and profile picture',
  email: 'Your email address',
  offline_access: 'Stay signed in when you are not using it (refresh tokens)',
  roles: 'Your roles in this app',
};

interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

function details(interaction: Interaction): ConsentDetails {
  return interaction.details.prompt.details as ConsentDetails;
}

/** What the app asks for, in words a user can judge. */
export function consentItems(interaction: Interaction): string[] {
  const { missingOIDCScope = [], missingOIDCClaims = [], missingResourceScopes = {} } = details(interaction);
  const items = missingOIDCScope.map((scope) => DESCRIPTIONS[scope] ?? scope);
  if (missingOIDCClaims.length > 0) items.push(`These details: ${missingOIDCClaims.join(', ')}`);
  for (const [api, scopes] of Object.entries(missingResourceScopes)) {
    items.push(`Access to ${api}: ${scopes.join(', ')}`);
  }
  return items;
}

export async function renderConsent(
  ctx: Context,
  deps: InteractionDeps,
  interaction: Interaction,
): Promise<void> {
  const accountId = interaction.details.session?.accountId;
  const user = accountId ? await deps.users.findById(accountId) : null;
  await renderPage(ctx, interaction, 'consent', {
    items: consentItems(interaction),
    email: user?.email ?? '',
  });
}

/** Grants exactly what the consent prompt says is missing, on the session's existing grant if any. */
export async function approveConsent(ctx: Context, interaction: Interaction): Promise<void> {
  const { provider } = interaction;
  const accountId = interaction.details.session?.accountId;
  if (!accountId) throw new AppError('request.invalid', 'Sign in first.', 400);
  const existing = interaction.details.grantId
    ? await provider.Grant.find(interaction.details.grantId)
    : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId: interaction.client.clientId });
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details(interaction);
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await finishInteraction(ctx, interaction, { consent: { grantId } }, true);
}

export async function denyConsent(ctx: Context, interaction: Interaction): Promise<void> {
  await finishInteraction(ctx, interaction, {
    error: 'access_denied',
    error_description: 'The user did not allow access',
  });
}
