import type { Context } from 'koa';
import type { User } from '../persistence/entities/user.ts';
import type { UpstreamResult } from '../upstreams/upstream-sign-in.ts';
import { requestAudit } from './audit-context.ts';
import { type Interaction, renderPage } from './interaction-context.ts';
import type { InteractionDeps } from './interaction-deps.ts';
import { renderLogin } from './login-page.ts';
import { completeSignIn } from './sign-in.ts';

/**
 * Who an upstream identity is here. A linked identity signs its user in. Otherwise an email that
 * matches an account links automatically only when the upstream asserts it verified, the
 * operator allows it, and the account's own email is verified too (else whoever registered the
 * address first, without owning it, would inherit the upstream user); in every other case the
 * user proves the account first. With no account, one is created if the app allows registration.
 */
export async function signInUpstreamUser(
  ctx: Context,
  deps: InteractionDeps,
  interaction: Interaction,
  result: UpstreamResult,
): Promise<void> {
  const { active, profile } = result;
  const { provider } = active;
  const method = `upstream:${provider.slug}`;
  const identity: IdentityToLink = {
    providerId: provider.id,
    providerSlug: provider.slug,
    subject: profile.subject,
    email: profile.email,
    emailVerified: profile.emailVerified,
  };
  const linked = await deps.identities.find(provider.id, profile.subject);
  const linkedUser = linked ? await deps.users.findById(linked.userId) : null;
  if (linked && linkedUser) {
    await deps.identities.touch(linked.id, profile.email, profile.emailVerified);
    return completeSignIn(ctx, deps, interaction, linkedUser, ['fed'], method);
  }

  const local = profile.email ? await deps.users.findByEmail(profile.email) : null;
  if (local) {
    // A disabled account is refused before anything is linked to it.
    if (local.status !== 'active') return completeSignIn(ctx, deps, interaction, local, ['fed'], method);
    if (provider.autoLink && profile.emailVerified && local.emailVerified) {
      await linkIdentity(ctx, deps, interaction, local, identity, 'verified email');
      return completeSignIn(ctx, deps, interaction, local, ['fed'], method);
    }
    await deps.upstreamAttempts.holdLink(result.state, { ...identity, userId: local.id });
    return renderLinkPage(ctx, interaction, provider.displayName, local);
  }

  if (!interaction.settings.allowRegistration) {
    return renderLogin(ctx, interaction, {
      error: `There is no account here for this ${provider.displayName} user. Ask your administrator for access, or sign in another way.`,
      status: 403,
    });
  }
  if (!profile.email) {
    return renderLogin(ctx, interaction, {
      error: `${provider.displayName} did not share an email address, which an account here needs. Sign up another way.`,
      status: 400,
    });
  }
  const user = await deps.users.create({
    email: profile.email,
    emailVerified: profile.emailVerified,
    ...(profile.name ? { name: profile.name } : {}),
  });
  const withProfile = await deps.users.updateProfile(user.id, {
    ...(profile.givenName ? { givenName: profile.givenName } : {}),
    ...(profile.familyName ? { familyName: profile.familyName } : {}),
    ...(profile.picture ? { picture: profile.picture } : {}),
  });
  deps.audit.record({
    action: 'registration',
    outcome: 'success',
    userId: user.id,
    appId: interaction.client.clientId,
    details: { method, emailVerified: profile.emailVerified },
    ...requestAudit(ctx),
  });
  await linkIdentity(ctx, deps, interaction, withProfile, identity, 'new account');
  return completeSignIn(ctx, deps, interaction, withProfile, ['fed'], method);
}

/** An upstream account about to be linked: who vouches, and for whom. */
export interface IdentityToLink {
  readonly providerId: string;
  readonly providerSlug: string;
  readonly subject: string;
  readonly email?: string | undefined;
  readonly emailVerified: boolean;
}

export async function linkIdentity(
  ctx: Context,
  deps: InteractionDeps,
  interaction: Interaction,
  user: User,
  identity: IdentityToLink,
  because: string,
): Promise<void> {
  await deps.identities.link(
    user.id,
    identity.providerId,
    identity.subject,
    identity.email,
    identity.emailVerified,
  );
  deps.audit.record({
    action: 'identity.linked',
    outcome: 'success',
    actorType: 'user',
    actorId: user.id,
    userId: user.id,
    appId: interaction.client.clientId,
    details: { provider: identity.providerSlug, because },
    ...requestAudit(ctx),
  });
}

export async function renderLinkPage(
  ctx: Context,
  interaction: Interaction,
  providerName: string,
  user: User,
  options: { stage?: 'choose' | 'code'; error?: string; notice?: string; status?: number } = {},
): Promise<void> {
  await renderPage(
    ctx,
    interaction,
    'link',
    {
      providerName,
      email: user.email,
      hasPassword: user.passwordHash !== null,
      stage: options.stage ?? 'choose',
      error: options.error,
      notice: options.notice,
    },
    options.status ?? 200,
  );
}
