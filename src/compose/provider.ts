import type { JSONWebKeySet } from 'jose';
import type { JWK } from 'oidc-provider';
import { createAdapterFactory } from '../../adapters/mikro-orm-adapter.ts';
import { createAppIdLookup, createClientRegistry } from '../clients/client-registry.ts';
import { createResourceOwnership, createResourceRegistry } from '../clients/resource-registry.ts';
import type { Config } from '../config/config.ts';
import { createProvider } from '../oidc/create-provider.ts';
import { createFindAccount } from '../oidc/find-account.ts';
import { startKeyReloader } from '../oidc/key-reloader.ts';
import { createProviderHolder, type ProviderHolder } from '../oidc/provider-holder.ts';
import { createExtraTokenClaims } from '../oidc/token-claims.ts';
import type { Orm } from '../persistence/orm.ts';
import type { IntervalJob } from '../shared/interval-job.ts';
import type { Logger } from '../shared/logger.ts';
import type { Services } from './services.ts';

const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y'] as const;

export interface ProviderRuntime {
  readonly holder: ProviderHolder;
  readonly keyReloader: IntervalJob;
  /** The published keys, for verifying our own JWTs locally (the admin API). */
  publicJwks(): JSONWebKeySet;
}

/**
 * oidc-provider, rebuilt whenever the signing keys change. Everything it needs besides the keys is
 * built once and shared by every instance the holder swaps in.
 */
export async function startProvider(
  config: Config,
  orm: Orm,
  services: Services,
  logger: Logger,
): Promise<ProviderRuntime> {
  const adapter = createAdapterFactory(services.payloads, createClientRegistry(orm), {
    refreshReuseLeewaySeconds: config.ttl.refreshReuseLeeway,
    sessionMaxSeconds: config.ttl.session,
  });
  const shared = {
    config,
    logger,
    adapter,
    findResource: createResourceRegistry(orm),
    findAccount: createFindAccount(services.users, services.roles),
    extraTokenClaims: createExtraTokenClaims({ roles: services.roles, appIdOf: createAppIdLookup(orm) }),
    servesApi: createResourceOwnership(orm),
    isActiveAccount: async (accountId: string) =>
      (await services.users.findById(accountId))?.status === 'active',
    audit: (event: Parameters<Services['audit']['record']>[0]) => services.audit.record(event),
  };
  let published: JSONWebKeySet = { keys: [] };
  const build = (jwks: JWK[]) => {
    const provider = createProvider({ ...shared, jwks });
    published = {
      keys: jwks.map((jwk) =>
        Object.fromEntries(
          PUBLIC_MEMBERS.flatMap((key) => (jwk[key] === undefined ? [] : [[key, jwk[key]]])),
        ),
      ),
    };
    return provider;
  };
  const holder = createProviderHolder(build(await services.keyStore.signingJwks()));
  const keyReloader = await startKeyReloader({
    keyStore: services.keyStore,
    holder,
    build,
    intervalSeconds: config.keyRefreshSeconds,
    logger,
  });
  return { holder, keyReloader, publicJwks: () => published };
}
