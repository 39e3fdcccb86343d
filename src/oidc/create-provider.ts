import Provider from 'oidc-provider';
import { HASH_SEPARATOR } from '../clients/client-metadata.ts';
import { clientSecretMatches } from '../clients/client-secret.ts';
import type { Logger } from '../shared/logger.ts';
import { auditProtocolEvents, type RecordAudit } from './protocol-audit.ts';
import { buildProviderConfiguration, type ProviderDeps } from './provider-config.ts';

/** Builds one Provider; the holder builds a new one whenever the signing keys change. */
export function createProvider(deps: ProviderDeps & { logger: Logger; audit: RecordAudit }): Provider {
  const { config, logger } = deps;
  const provider = new Provider(config.issuer, buildProviderConfiguration(deps));
  // interactionDetails() builds its own context from the provider's proxy setting.
  provider.proxy = config.trustProxy.mode !== 'none';

  // Secrets are stored as HMACs (see client-secret.ts); this is oidc-provider's documented hook.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(actual: string) {
    const stored = (this as { clientSecret?: string }).clientSecret ?? '';
    return clientSecretMatches(actual, stored.split(HASH_SEPARATOR), config.hashSecret);
  };

  provider.on('server_error', (ctx, error) => {
    const log = (ctx?.state as { log?: Logger } | undefined)?.log ?? logger;
    log.error({ err: error }, 'oidc-provider server error');
  });
  for (const event of ['grant.error', 'introspection.error', 'revocation.error', 'userinfo.error']) {
    // One listener shape for all four: oidc-provider's typings overload `on` per event name.
    provider.on(event as 'grant.error', (ctx, error) => {
      const log = (ctx?.state as { log?: Logger } | undefined)?.log ?? logger;
      log.info(
        { event, error: error.message, detail: (error as { error_detail?: string }).error_detail },
        event,
      );
    });
  }
  auditProtocolEvents(provider, deps.audit);
  return provider;
}
