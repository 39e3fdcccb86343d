import grantPackage from 'grant';
import type { Context } from 'koa';
import type { UpstreamProvider } from '../persistence/entities/upstream-provider.ts';
import { UpstreamFailure } from './upstream-failure.ts';
import { profileFromFacebook, profileFromGithub, type UpstreamProfile } from './upstream-profile.ts';
import type { ActiveUpstream } from './upstream-service.ts';

/** grant's session for one trip (provider, state, PKCE verifier), kept server-side by the caller. */
export type GrantSession = Record<string, unknown>;

const TIMEOUT_MS = 10_000;
// grant is CommonJS with `module.exports.default = grant`; its typings describe only the latter.
const grant = grantPackage.default;

const ENDPOINTS: Record<'github' | 'facebook', { authorize: string; token: string; api: string }> = {
  github: {
    authorize: 'https://github.com/login/oauth/authorize',
    token: 'https://github.com/login/oauth/access_token',
    api: 'https://api.github.com',
  },
  facebook: {
    authorize: 'https://www.facebook.com/dialog/oauth',
    token: 'https://graph.facebook.com/oauth/access_token',
    api: 'https://graph.facebook.com',
  },
};

function endpoints(provider: UpstreamProvider) {
  const defaults = ENDPOINTS[provider.kind as 'github' | 'facebook'];
  return {
    authorize: provider.authorizationUrl ?? defaults.authorize,
    token: provider.tokenUrl ?? defaults.token,
    api: (provider.apiUrl ?? defaults.api).replace(/\/$/, ''),
  };
}

/**
 * grant mounted inside the interaction: its prefix is this sign-in's own path, so the start
 * (`/interaction/<uid>/upstream/<slug>`) and the callback (`…/<slug>/callback`) run under the
 * interaction cookie's path. A grant instance per request is cheap (one provider's config) and
 * lets the prefix carry the uid. Its session lives in our database row, never in a cookie.
 */
function grantFor(active: ActiveUpstream, uid: string, redirectUri: string, state: string) {
  const { provider, clientSecret } = active;
  const urls = endpoints(provider);
  return grant.koa({
    config: {
      defaults: { prefix: `/interaction/${uid}/upstream`, transport: 'state', response: ['tokens'] },
      [provider.slug]: {
        oauth: 2,
        authorize_url: urls.authorize,
        access_url: urls.token,
        key: provider.clientId,
        secret: clientSecret,
        scope: provider.scopes.join(provider.kind === 'facebook' ? ',' : ' '),
        redirect_uri: redirectUri,
        state,
        pkce: true,
      },
    },
    request: { timeout: TIMEOUT_MS },
  });
}

interface GrantContext {
  session?: { grant?: GrantSession };
  request: { body?: unknown };
  state: { grant?: { response?: Record<string, unknown> } };
}

/** GitHub and Facebook: OAuth 2 without ID tokens; the profile comes from their APIs. */
export function createOAuth2UpstreamClient() {
  async function fetchJson(url: string, accessToken: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          authorization: `Bearer ${accessToken}`,
          accept: 'application/json',
          // GitHub refuses API calls without a User-Agent.
          'user-agent': 'Gatehouse',
        },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new UpstreamFailure('unreachable', `${new URL(url).origin}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new UpstreamFailure('refused', `${url} answered ${response.status}`);
    try {
      return await response.json();
    } catch {
      throw new UpstreamFailure('unreachable', `${url} answered with something other than JSON`);
    }
  }

  return {
    /** Runs grant's start step on this request; returns where to send the browser and grant's session. */
    async authorizationUrl(
      ctx: Context,
      active: ActiveUpstream,
      uid: string,
      redirectUri: string,
      state: string,
    ): Promise<{ url: string; session: GrantSession }> {
      const grantCtx = ctx as unknown as GrantContext;
      grantCtx.session = {};
      // A POST body would become grant "dynamic" overrides; ours carries nothing for grant.
      grantCtx.request.body = {};
      await grantFor(active, uid, redirectUri, state)(ctx, async () => {});
      const location = ctx.response.get('location');
      const session = grantCtx.session.grant;
      if (!location || !session)
        throw new UpstreamFailure('unreachable', `grant did not start ${active.provider.slug}`);
      return { url: location, session };
    },

    /** Runs grant's callback step (code → token), then reads the profile. */
    async profile(
      ctx: Context,
      active: ActiveUpstream,
      uid: string,
      redirectUri: string,
      state: string,
      session: GrantSession,
    ): Promise<UpstreamProfile> {
      const grantCtx = ctx as unknown as GrantContext;
      grantCtx.session = { grant: session };
      grantCtx.state.grant = {};
      await grantFor(active, uid, redirectUri, state)(ctx, async () => {});
      const response = grantCtx.state.grant?.response ?? {};
      const accessToken = response.access_token;
      if (typeof accessToken !== 'string' || accessToken.length === 0) {
        const raw = (response.raw ?? response) as Record<string, unknown>;
        throw new UpstreamFailure(
          'refused',
          `code exchange with ${active.provider.slug}: ${String(response.error ?? raw.error ?? 'no access token')}`.slice(
            0,
            300,
          ),
        );
      }
      const api = endpoints(active.provider).api;
      try {
        if (active.provider.kind === 'github') {
          const [user, emails] = await Promise.all([
            fetchJson(`${api}/user`, accessToken),
            fetchJson(`${api}/user/emails`, accessToken),
          ]);
          return profileFromGithub(user, emails);
        }
        return profileFromFacebook(await fetchJson(`${api}/me?fields=id,name,email,picture`, accessToken));
      } catch (error) {
        if (error instanceof UpstreamFailure) throw error;
        throw new UpstreamFailure('refused', `${active.provider.slug} profile: ${(error as Error).message}`);
      }
    },
  };
}

export type OAuth2UpstreamClient = ReturnType<typeof createOAuth2UpstreamClient>;
