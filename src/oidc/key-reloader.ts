import type Provider from 'oidc-provider';
import type { JWK } from 'oidc-provider';
import type { KeyStore } from '../keys/key-store.ts';
import { type IntervalJob, startIntervalJob } from '../shared/interval-job.ts';
import type { Logger } from '../shared/logger.ts';
import type { ProviderHolder } from './provider-holder.ts';

/**
 * Polls the key set's version and swaps in a provider built with the new keys when another
 * instance (or the CLI) rotated them. Polling rather than LISTEN keeps the embedded database,
 * which serves one connection at a time, free of a permanently held connection.
 */
export async function startKeyReloader(deps: {
  keyStore: KeyStore;
  holder: ProviderHolder;
  build: (jwks: JWK[]) => Provider;
  intervalSeconds: number;
  logger: Logger;
}): Promise<IntervalJob> {
  const { keyStore, holder, build, logger } = deps;
  let seen = await keyStore.version();
  return startIntervalJob(
    'key-reload',
    deps.intervalSeconds * 1000,
    async () => {
      const version = await keyStore.version();
      if (version === seen) return;
      holder.replace(build(await keyStore.signingJwks()));
      seen = version;
      logger.info({ keys: version }, 'signing keys changed; provider reloaded');
    },
    logger,
  );
}
