import type { Context } from 'koa';
import { z } from 'zod';
import { randomToken } from '../shared/keyed-hash.ts';
import type { OAuth2UpstreamClient } from './oauth2-upstream-client.ts';
import type { OidcUpstreamClient } from './oidc-upstream-client.ts';
import type { UpstreamAttempts } from './upstream-attempts.ts';
import { callbackError, UpstreamFailure } from './upstream-failure.ts';
import { OIDC_KINDS } from './upstream-input.ts';
import type { UpstreamProfile } from './upstream-profile.ts';
import type { ActiveUpstream, UpstreamService } from './upstream-service.ts';
import { upstreamRedirectUri } from './upstream-slug.ts';

/** oidc-provider's interaction uids; anything else in a state is not ours. */
const UID = /^[A-Za-z0-9_-]{1,64}$/;
/** randomToken(32): 43 base64url characters. */
const RANDOM = /^[A-Za-z0-9_-]{43}$/;

const savedSecrets = z.union([
  z.object({ kind: z.literal('oidc'), nonce: z.string(), codeVerifier: z.string() }),
  z.object({ kind: z.literal('oauth2'), grant: z.record(z.string(), z.unknown()) }),
]);

/**
 * The interaction uid travels in the state (`<uid>.<random>`), so the fixed callback URL
 * registered at the upstream can send the browser back under `/interaction/<uid>/`, where the
 * interaction cookie lives. The random part is what is checked.
 */
export function interactionOfState(state: string | null): string | undefined {
  const [uid, random, extra] = (state ?? '').split('.');
  return uid && UID.test(uid) && random && RANDOM.test(random) && extra === undefined ? uid : undefined;
}

export interface UpstreamResult {
  readonly active: ActiveUpstream;
  readonly profile: UpstreamProfile;
  /** Keeps the trip's row for a link the user must still prove. */
  readonly state: string;
}

/** Sending a user to an upstream and reading who came back, for both kinds of upstream. */
export function createUpstreamSignIn(deps: {
  issuer: string;
  upstreams: UpstreamService;
  attempts: UpstreamAttempts;
  oidc: OidcUpstreamClient;
  oauth2: OAuth2UpstreamClient;
}) {
  const { upstreams, attempts, oidc, oauth2 } = deps;
  const redirectUri = (slug: string) => upstreamRedirectUri(deps.issuer, slug);

  return {
    redirectUri,

    /** Where to send the browser; undefined when the app does not offer this provider (or it is off). */
    async start(
      ctx: Context,
      slug: string,
      offered: readonly string[],
      uid: string,
    ): Promise<string | undefined> {
      const active = await upstreams.forSignIn(slug, offered);
      if (!active) return undefined;
      const state = `${uid}.${randomToken(32)}`;
      if (OIDC_KINDS.has(active.provider.kind)) {
        const { url, secrets } = await oidc.authorizationUrl(active, redirectUri(slug), state);
        await attempts.begin(state, uid, active.provider.id, { kind: 'oidc', ...secrets });
        return url;
      }
      const { url, session } = await oauth2.authorizationUrl(ctx, active, uid, redirectUri(slug), state);
      await attempts.begin(state, uid, active.provider.id, { kind: 'oauth2', grant: session });
      return url;
    },

    /**
     * Who came back. The state must be one this sign-in sent to this provider and not used before;
     * `replayed` covers every other case, which must not be told apart to the caller.
     */
    async finish(
      ctx: Context,
      slug: string,
      offered: readonly string[],
      uid: string,
      query: URLSearchParams,
    ): Promise<UpstreamResult | 'not_offered' | 'replayed'> {
      const active = await upstreams.forSignIn(slug, offered);
      if (!active) return 'not_offered';
      const state = query.get('state') ?? '';
      const stored = savedSecrets.safeParse(await attempts.consume(state, uid, active.provider.id));
      if (!stored.success) return 'replayed';
      const failure = callbackError(query);
      if (failure) throw failure;
      if (!query.get('code')) throw new UpstreamFailure('refused', 'the callback carried no code');
      const secrets = stored.data;
      const profile =
        secrets.kind === 'oidc'
          ? await oidc.profile(active, redirectUri(slug), query, state, secrets)
          : await oauth2.profile(ctx, active, uid, redirectUri(slug), state, secrets.grant);
      return { active, profile, state };
    },
  };
}

export type UpstreamSignIn = ReturnType<typeof createUpstreamSignIn>;
