import { randomBytes, randomInt } from 'node:crypto';
import { facebookRoutes } from './facebook-shape.ts';
import { githubRoutes } from './github-shape.ts';
import { handleAsync, serveOnLoopback } from './loopback-server.ts';
import { createGrants, type OAuth2Registration, type OAuth2UpstreamUser } from './oauth2-grants.ts';
import type { UpstreamError } from './oidc-upstream.ts';

export type { OAuth2UpstreamUser } from './oauth2-grants.ts';

/** A plain OAuth 2 upstream shaped like GitHub or Facebook (no ID token: a profile API instead). */
export interface OAuth2Upstream {
  readonly shape: 'github' | 'facebook';
  /** http://127.0.0.2:<port> */
  readonly baseUrl: string;
  /** github: /login/oauth/authorize; facebook: /dialog/oauth */
  readonly authorizeUrl: string;
  /** github: /login/oauth/access_token; facebook: /oauth/access_token */
  readonly tokenUrl: string;
  /** github: `${baseUrl}/api` (/user, /user/emails); facebook: baseUrl (the Graph API, /me) */
  readonly apiUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** What every authorization request does until changed: sign in as this user, or redirect back with this error. */
  next: OAuth2UpstreamUser | UpstreamError;
  /** Every authorization request received (query parameters). */
  readonly authorizationRequests: URLSearchParams[];
  /** Every token request received (form body; the query for Facebook's GET form). */
  readonly tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

/** The user an upstream signs in as until a test says otherwise. */
export const DEFAULT_OAUTH2_USER: OAuth2UpstreamUser = {
  id: '583231',
  login: 'octocat',
  name: 'The Octocat',
  avatarUrl: 'https://avatars.githubusercontent.com/u/583231',
  publicEmail: null,
  emails: [{ email: 'octocat@upstream.test', primary: true, verified: true }],
};

const PATHS = {
  github: { authorize: '/login/oauth/authorize', token: '/login/oauth/access_token', api: '/api' },
  facebook: { authorize: '/dialog/oauth', token: '/oauth/access_token', api: '' },
} as const;

/** Starts a GitHub- or Facebook-shaped OAuth 2 server with one registered client. */
export async function startOAuth2Upstream(options: {
  shape: 'github' | 'facebook';
  redirectUris: string[];
}): Promise<OAuth2Upstream> {
  const { shape } = options;
  let upstream: OAuth2Upstream | undefined;
  const registration: OAuth2Registration = {
    // Real ids look like these: GitHub's `Iv1.` + hex, Facebook's app id is 15-16 digits.
    clientId:
      shape === 'github'
        ? `Iv1.${randomBytes(8).toString('hex')}`
        : `${randomInt(1e6, 9e6)}${randomInt(1e8, 9e8)}`,
    clientSecret: randomBytes(20).toString('hex'),
    redirectUris: options.redirectUris,
    get next() {
      return upstream?.next ?? DEFAULT_OAUTH2_USER;
    },
    authorizationRequests: [],
    tokenRequests: [],
  };
  const grants = createGrants();
  const routes =
    shape === 'github' ? githubRoutes(registration, grants) : facebookRoutes(registration, grants);
  const server = await serveOnLoopback((origin) =>
    handleAsync((req, res) => routes(req, res, new URL(req.url ?? '/', origin))),
  );
  const { origin } = server;
  upstream = {
    shape,
    baseUrl: origin,
    authorizeUrl: `${origin}${PATHS[shape].authorize}`,
    tokenUrl: `${origin}${PATHS[shape].token}`,
    apiUrl: `${origin}${PATHS[shape].api}`,
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    next: structuredClone(DEFAULT_OAUTH2_USER),
    authorizationRequests: registration.authorizationRequests,
    tokenRequests: registration.tokenRequests,
    close: () => server.close(),
  };
  return upstream;
}
