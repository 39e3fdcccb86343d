import Provider, { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { PayloadStore } from './payload-store.ts';

/** Models whose consume() redeems a credential at the token endpoint. */
const GRANT_SOURCES = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** Finds client metadata for oidc-provider's Client model; apps live in their own table. */
export type ClientFinder = (clientId: string) => Promise<AdapterPayload | undefined>;

class PayloadAdapter implements Adapter {
  readonly #kind: string;
  readonly #store: PayloadStore;
  readonly #reuseLeewayMs: number;

  readonly #sessionMaxSeconds: number;

  constructor(kind: string, store: PayloadStore, options: AdapterOptions) {
    this.#kind = kind;
    this.#store = store;
    this.#reuseLeewayMs = kind === 'RefreshToken' ? options.refreshReuseLeewaySeconds * 1000 : 0;
    this.#sessionMaxSeconds = options.sessionMaxSeconds;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    // PostgreSQL jsonb cannot hold NUL; a request parameter carrying one (state, nonce, login_hint...)
    // is the caller's mistake, not a server error.
    if (JSON.stringify(payload).includes('\\u0000'))
      throw new errors.InvalidRequest('a parameter contains a NUL character');
    await this.#store.upsert(this.#kind, id, payload as Record<string, unknown>, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const found = this.#shape(await this.#store.find(this.#kind, id));
    // A session's absolute lifetime: activity slides its row's expiry, never past sign-in + max.
    if (this.#kind === 'Session' && typeof found?.loginTs === 'number') {
      if (found.loginTs + this.#sessionMaxSeconds <= Date.now() / 1000) return undefined;
    }
    return found;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#shape(await this.#store.findBy(this.#kind, 'uid', uid));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#shape(await this.#store.findBy(this.#kind, 'user_code', userCode));
  }

  /**
   * oidc-provider checks `consumed` after a find and before consume(), and ignores consume()'s
   * result, so two parallel redemptions would both pass. Losing the atomic update therefore fails
   * the request here, which makes "exactly one wins" hold under any concurrency.
   */
  async consume(id: string): Promise<void> {
    if (await this.#store.consume(this.#kind, id)) return;
    if (GRANT_SOURCES.has(this.#kind)) throw new errors.InvalidGrant('redeemed concurrently');
    throw new errors.InvalidRequest('request already used');
  }

  async destroy(id: string): Promise<void> {
    await this.#store.destroy(this.#kind, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#store.revokeByGrantId(grantId);
  }

  #shape(stored: Awaited<ReturnType<PayloadStore['find']>>): AdapterPayload | undefined {
    if (!stored) return undefined;
    // Two tabs refreshing at once present the same refresh token twice. oidc-provider treats a
    // consumed token as stolen and revokes the whole grant; within the leeway we hide `consumed`,
    // so the second request fails at consume() instead, and the first tab's new token survives.
    // Only on the refresh grant itself: everywhere else (introspection) a used token is used.
    const refreshing = Provider.ctx?.oidc?.params?.grant_type === 'refresh_token';
    const justConsumed =
      refreshing &&
      stored.consumedAt !== null &&
      Date.now() - stored.consumedAt.getTime() < this.#reuseLeewayMs;
    const consumed =
      stored.consumedAt && !justConsumed ? Math.floor(stored.consumedAt.getTime() / 1000) : undefined;
    return consumed ? { ...stored.payload, consumed } : (stored.payload as AdapterPayload);
  }
}

export interface AdapterOptions {
  /** Two tabs refreshing at once: a second use this soon fails without revoking the grant. */
  readonly refreshReuseLeewaySeconds: number;
  /** A session found after sign-in + this is treated as gone. */
  readonly sessionMaxSeconds: number;
}

/** Clients are read from the apps table; registration through oidc-provider is not offered. */
class ClientAdapter implements Adapter {
  readonly #find: ClientFinder;
  constructor(find: ClientFinder) {
    this.#find = find;
  }
  find(id: string) {
    return this.#find(id);
  }
  async upsert(): Promise<void> {
    throw new Error('clients are managed through Gatehouse, not oidc-provider');
  }
  async findByUid() {
    return undefined;
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

/** One adapter for every oidc-provider model, all backed by PostgreSQL through MikroORM's pool. */
export function createAdapterFactory(
  store: PayloadStore,
  findClient: ClientFinder,
  options: AdapterOptions = { refreshReuseLeewaySeconds: 0, sessionMaxSeconds: Number.POSITIVE_INFINITY },
): (name: string) => Adapter {
  const cache = new Map<string, Adapter>();
  return (name) => {
    let adapter = cache.get(name);
    if (!adapter) {
      adapter = name === 'Client' ? new ClientAdapter(findClient) : new PayloadAdapter(name, store, options);
      cache.set(name, adapter);
    }
    return adapter;
  };
}
