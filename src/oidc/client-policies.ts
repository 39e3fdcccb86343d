import type { AccessToken, Client, ClientCredentials, KoaContextWithOIDC, RefreshToken } from 'oidc-provider';
import { GATEHOUSE_METADATA } from '../clients/client-metadata.ts';

const metadata = (client: Client, key: string): unknown =>
  (client as unknown as Record<string, unknown>)[key];
export const appTypeOf = (client: Client) => metadata(client, GATEHOUSE_METADATA.type) as string | undefined;

/** Declares our per-app metadata so oidc-provider keeps it on the Client model. */
export const extraClientMetadata = {
  properties: Object.values(GATEHOUSE_METADATA),
  validator(_ctx: unknown, key: string, value: unknown) {
    if (key === GATEHOUSE_METADATA.corsOrigins && value !== undefined && !Array.isArray(value)) {
      throw new TypeError('cors origins must be an array');
    }
  },
};

/**
 * Browsers may call the token and userinfo endpoints only from origins registered on the app, and
 * the token endpoint only for public apps (a confidential app's secret never belongs in a browser).
 * Introspection and revocation are server-to-server.
 */
export function clientBasedCORS(ctx: KoaContextWithOIDC, origin: string, client: Client): boolean {
  const route = ctx.oidc?.route;
  if (route === 'introspection' || route === 'revocation') return false;
  const origins = (metadata(client, GATEHOUSE_METADATA.corsOrigins) as string[] | undefined) ?? [];
  if (!origins.includes(origin)) return false;
  return route === 'userinfo' || client.clientAuthMethod === 'none';
}

/** Whether a resource app serves the API (audience) a token was issued for. */
export type ServesApi = (resourceClientId: string, audience: string) => Promise<boolean>;

/**
 * An app may introspect its own tokens; a resource app (a legacy back-end) also the tokens issued
 * for an API it serves. Nobody else learns anything: the answer is {"active": false}.
 */
export function introspectionPolicy(
  servesApi: ServesApi,
  isActiveAccount: (accountId: string) => Promise<boolean>,
) {
  return async function introspectionAllowed(
    _ctx: KoaContextWithOIDC,
    client: Client,
    token: AccessToken | ClientCredentials | RefreshToken,
  ): Promise<boolean> {
    // oidc-provider does not look the account up here: a disabled user's token must read inactive.
    const accountId = (token as { accountId?: string }).accountId;
    if (accountId && !(await isActiveAccount(accountId))) return false;
    if (token.clientId === client.clientId) return true;
    if (appTypeOf(client) !== 'resource') return false;
    const audiences = ([] as unknown[]).concat((token as { aud?: unknown }).aud ?? []);
    for (const audience of audiences) {
      if (typeof audience === 'string' && (await servesApi(client.clientId, audience))) return true;
    }
    return false;
  };
}

export async function revocationAllowed(
  _ctx: KoaContextWithOIDC,
  client: Client,
  token: AccessToken | ClientCredentials | RefreshToken,
): Promise<boolean> {
  return token.clientId === client.clientId;
}

/** PKCE is required for public apps; confidential ones may use it (older server-side libraries do not). */
export function pkceRequired(_ctx: KoaContextWithOIDC, client: Client): boolean {
  return client.clientAuthMethod === 'none';
}
