/**
 * The baseline: a bare oidc-provider with its default in-memory adapter and one static client,
 * configured to issue the same RS256 JWT access tokens for the same resource and scope as
 * Gatehouse. Run as a child process by bench/run.ts; it reads PORT, ISSUER, BASELINE_CLIENT_ID
 * and BASELINE_CLIENT_SECRET and logs one JSON line when it listens.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
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
  ],
  features: {
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

const server = createServer(provider.callback());
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
