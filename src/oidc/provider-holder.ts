import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type Provider from 'oidc-provider';

export interface ProviderHolder {
  readonly provider: Provider;
  /** Dispatches to whichever provider is current when the request arrives. */
  readonly middleware: Middleware;
  replace(next: Provider): void;
}

/**
 * oidc-provider's key set is fixed per instance, so a key rotation builds a new instance and
 * swaps it in here. Everything a request needs lives in the database, so requests already inside
 * the old instance finish normally and the next ones use the new keys: no restart, no downtime.
 */
export function createProviderHolder(initial: Provider): ProviderHolder {
  let provider = initial;
  // Equivalent of koa-mount for a Koa app at "/": run the provider's stack with our context.
  let dispatch = compose(provider.middleware);
  return {
    get provider() {
      return provider;
    },
    middleware: (ctx, next) => dispatch(ctx, next),
    replace(next) {
      provider = next;
      dispatch = compose(next.middleware);
    },
  };
}
