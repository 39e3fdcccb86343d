import type { Context } from 'koa';
import type { User } from '../persistence/entities/user.ts';
import type { UpstreamResult } from '../upstreams/upstream-sign-in.ts';
import { requestAudit } from './audit-context.ts';
import { type Interaction, renderPage } from './interaction-context.ts';
import type { InteractionDeps } from './interaction-deps.ts';
import { renderLogin } from './login-page.ts';
import { refusedPage } from './rate-limit-page.ts';
import { COULD_NOT_SEND } from './routes/code-routes.ts';
import { completeSignIn } from './sign-in.ts';
import { sendSignInCode } from './sign-in-code.ts';

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
  if (profile.email && !profile.emailVerified) {
    return confirmUntrustedEmail(ctx, deps, interaction, result, identity, profile.email, local);
  }
  if (local) {
    // A disabled account is refused before anything is linked to it.
    if (local.status !== 'active') return completeSignIn(ctx, deps, interaction, local, ['fed'], method);
    if (provider.autoLink && local.emailVerified) {
      await linkIdentity(ctx, deps, interaction, local, identity, 'verified email');
      return completeSignIn(ctx, deps, interaction, local, ['fed'], method);
    }
    await deps.upstreamAttempts.holdLink(result.state, { ...identity, userId: local.id, confirm: false });
    return renderLinkPage(ctx, interaction, linkView(provider.displayName, local.email, local, false));
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
  const user = await createFromProfile(ctx, deps, interaction, result, true);
  await linkIdentity(ctx, deps, interaction, user, identity, 'new account');
  return completeSignIn(ctx, deps, interaction, user, ['fed'], method);
}

/**
 * An address the upstream does not vouch for (Facebook, an unverified GitHub primary, Microsoft)
 * proves nothing, and telling its bearer whether an account has it would let anyone who can type
 * an address into an upstream profile find out who has an account here. So every case gets the
 * same page and the same "we sent a code if we could": an existing active account gets a real
 * code, as does a new passwordless account when the app takes registrations; a disabled account,
 * or no account where registration is closed, gets a decoy that never verifies. Entering the code
 * (or the account's password) links the identity.
 */
async function confirmUntrustedEmail(
  ctx: Context,
  deps: InteractionDeps,
  interaction: Interaction,
  result: UpstreamResult,
  identity: IdentityToLink,
  email: string,
  local: User | null,
): Promise<void> {
  const view = linkView(result.active.provider.displayName, email, null, true);
  if (!deps.outbox.healthy()) {
    return renderLinkPage(ctx, interaction, view, { error: COULD_NOT_SEND, status: 503 });
  }
  if (await refusedPage(ctx, interaction, await deps.rateLimits.codeSend(ctx.ip, email))) return;
  let user = local?.status === 'active' ? local : null;
  if (!local && interaction.settings.allowRegistration) {
    user = await createFromProfile(ctx, deps, interaction, result, false);
  }
  await deps.upstreamAttempts.holdLink(result.state, {
    ...identity,
    email,
    userId: user?.id ?? null,
    confirm: true,
  });
  await sendSignInCode(ctx, deps, interaction, user, email, 'link identity');
  return renderLinkPage(ctx, interaction, view);
}

/** A new account from the upstream profile; passwordless, so the upstream (or a reset) signs it in. */
async function createFromProfile(
  ctx: Context,
  deps: InteractionDeps,
  interaction: Interaction,
  result: UpstreamResult,
  emailVerified: boolean,
): Promise<User> {
  const { profile } = result;
  const user = await deps.users.create({
    email: profile.email ?? '',
    emailVerified,
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
    details: { method: `upstream:${result.active.provider.slug}`, emailVerified },
    ...requestAudit(ctx),
  });
  return withProfile;
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

/** What the link page shows; in `confirm` mode it must read the same whether or not an account exists. */
export interface LinkView {
  readonly providerName: string;
  readonly email: string;
  readonly hasPassword: boolean;
  readonly confirm: boolean;
}

export function linkView(providerName: string, email: string, user: User | null, confirm: boolean): LinkView {
  // In confirm mode the password form is always offered: its absence would say "no account".
  return { providerName, email, hasPassword: confirm || (user?.passwordHash ?? null) !== null, confirm };
}

export async function renderLinkPage(
  ctx: Context,
  interaction: Interaction,
  view: LinkView,
  options: { stage?: 'choose' | 'code'; error?: string; notice?: string; status?: number } = {},
): Promise<void> {
  await renderPage(
    ctx,
    interaction,
    'link',
    {
      ...view,
      stage: view.confirm ? 'confirm' : (options.stage ?? 'choose'),
      error: options.error,
      notice: options.notice,
    },
    options.status ?? 200,
  );
}
