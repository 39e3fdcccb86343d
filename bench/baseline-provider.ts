/**
 * The baseline: a bare oidc-provider with its default in-memory adapter, configured to do the same
 * work as Gatehouse in each scenario: one service client with the same RS256 JWT (and opaque)
 * access tokens for the same resource and scope; one web client and one user account for the
 * authorization code flow, with refresh tokens that rotate and a userinfo endpoint. Run as a child
 * process by bench/run.ts; it reads the variables below and logs one JSON line when it listens.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const started = performance.now();
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`baseline-provider: ${name} is required`);
  return value;
};
const port = Number(env('PORT'));
const issuer = env('ISSUER');
const resource = process.env.BASELINE_RESOURCE ?? 'https://api.bench.test';
/** Tokens for this one are opaque, as Gatehouse's for an API served to a legacy app. */
const opaqueResource = process.env.BASELINE_OPAQUE_RESOURCE ?? 'https://legacy.bench.test';
/** The one user: every sign-in is theirs. */
const account = { id: env('BASELINE_ACCOUNT_ID'), email: env('BASELINE_ACCOUNT_EMAIL') };
const updatedAt = Math.floor(Date.now() / 1000);

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: randomUUID() };

const provider = new Provider(issuer, {
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  clients: [
    {
      client_id: env('BASELINE_CLIENT_ID'),
      client_secret: env('BASELINE_CLIENT_SECRET'),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
    {
      client_id: env('BASELINE_WEB_CLIENT_ID'),
      client_secret: env('BASELINE_WEB_CLIENT_SECRET'),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [env('BASELINE_REDIRECT_URI')],
    },
  ],
  // As Gatehouse: scope claims in the ID token too, refresh tokens rotate on every use, and
  // oidc-provider's default issueRefreshToken (offline_access, asked for with prompt=consent).
  scopes: ['openid', 'offline_access', 'email'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  conformIdTokenClaims: false,
  rotateRefreshToken: true,
  findAccount: async (_ctx, sub) =>
    sub === account.id
      ? {
          accountId: account.id,
          claims: async () => ({
            sub: account.id,
            email: account.email,
            email_verified: true,
            updated_at: updatedAt,
          }),
        }
      : undefined,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => false,
      getResourceServerInfo: async (_ctx, indicator) =>
        indicator === opaqueResource
          ? { scope: 'read', audience: opaqueResource, accessTokenFormat: 'opaque', accessTokenTTL: 600 }
          : {
              scope: 'read',
              audience: resource,
              accessTokenFormat: 'jwt',
              accessTokenTTL: 600,
              jwt: { sign: { alg: 'RS256' } },
            },
    },
  },
});

/**
 * The baseline's whole sign-in interface, without a page or a password: the login prompt is
 * finished for the one account at once, and consent grants exactly what the prompt says is
 * missing, as Gatehouse does for a first-party app. The bench only needs its tokens.
 */
async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: account.id } });
    return;
  }
  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant =
    (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
    new provider.Grant({ accountId: account.id, clientId: String(details.params.client_id) });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (!req.url?.startsWith('/interaction/')) return callback(req, res);
  interact(req, res).catch((error: unknown) => {
    process.stderr.write(`baseline interaction failed: ${(error as Error).stack ?? String(error)}\n`);
    res.statusCode = 500;
    res.end();
  });
});
server.listen(port, '127.0.0.1', () => {
  const line = { msg: 'baseline listening', port, startupMs: Math.round(performance.now() - started) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
});

const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
