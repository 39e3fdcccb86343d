import type { JWK } from 'jose';
import { type KeyState, type SigningKey, SigningKeySchema } from '../persistence/entities/signing-key.ts';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { openPrivateJwk, sealPrivateJwk } from './key-crypto.ts';
import { generateSigningKey, SIGNING_ALGS } from './key-generation.ts';

/** Serialises key changes across every instance sharing the database. */
const KEY_LOCK = 0x6761_7465;
const PUBLISH_ORDER: Record<KeyState, number> = { current: 0, next: 1, previous: 2, retired: 3 };

/**
 * The longest a token signed by one key can stay valid, and so how long a demoted key must stay
 * published. API access tokens may be given up to a day (see api-service.ts).
 */
export function maxSignedLifetime(ttl: {
  accessToken: number;
  idToken: number;
  clientCredentials: number;
}): number {
  return Math.max(ttl.accessToken, ttl.idToken, ttl.clientCredentials, 86_400);
}

export interface KeyInfo {
  readonly kid: string;
  readonly alg: string;
  readonly state: KeyState;
  readonly createdAt: Date;
  readonly stateChangedAt: Date;
}

export interface KeyStore {
  /** Creates the first current and next keys if there are none. Safe to race. */
  ensureKeys(): Promise<void>;
  /** Private JWKs for oidc-provider, current first (the first key of an alg signs). */
  signingJwks(): Promise<JWK[]>;
  list(): Promise<KeyInfo[]>;
  /** next → current → previous → retired, and a fresh next. */
  rotate(options?: { force?: boolean }): Promise<KeyInfo[]>;
  /** Changes whenever the published set changes; instances poll it to pick up rotations. */
  version(): Promise<string>;
}

export function createKeyStore(deps: {
  orm: Orm;
  encryptionSecret: string | undefined;
  clock: Clock;
  /** The longest lifetime of anything signed: a previous key is kept at least this long. */
  maxSignedLifetimeSeconds: number;
}): KeyStore {
  const { orm, encryptionSecret, clock, maxSignedLifetimeSeconds } = deps;

  async function newRow(alg: (typeof SIGNING_ALGS)[number], state: KeyState, now: Date): Promise<SigningKey> {
    const key = await generateSigningKey(alg);
    return {
      kid: key.kid,
      alg,
      state,
      publicJwk: key.publicJwk as Record<string, unknown>,
      privateJwk: sealPrivateJwk(key.privateJwk, encryptionSecret),
      createdAt: now,
      stateChangedAt: now,
    };
  }

  const info = (key: SigningKey): KeyInfo => ({
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    createdAt: key.createdAt,
    stateChangedAt: key.stateChangedAt,
  });

  return {
    async ensureKeys() {
      await orm.em.fork().transactional(async (em) => {
        await em
          .getConnection()
          .execute('select pg_advisory_xact_lock(?)', [KEY_LOCK], 'all', em.getTransactionContext());
        const now = clock();
        for (const alg of SIGNING_ALGS) {
          const existing = await em.find(SigningKeySchema, { alg, state: { $in: ['current', 'next'] } });
          if (!existing.some((key) => key.state === 'current'))
            em.create(SigningKeySchema, await newRow(alg, 'current', now));
          if (!existing.some((key) => key.state === 'next'))
            em.create(SigningKeySchema, await newRow(alg, 'next', now));
        }
      });
    },

    async signingJwks() {
      const keys = await orm.em.fork().find(SigningKeySchema, { state: { $ne: 'retired' } });
      return keys
        .sort((a, b) => PUBLISH_ORDER[a.state] - PUBLISH_ORDER[b.state] || a.alg.localeCompare(b.alg))
        .map((key) => ({
          ...openPrivateJwk(key.privateJwk, encryptionSecret),
          kid: key.kid,
          alg: key.alg,
          use: 'sig',
        }));
    },

    async list() {
      const keys = await orm.em.fork().find(SigningKeySchema, {}, { orderBy: { createdAt: 'desc' } });
      return keys.map(info);
    },

    async rotate(options = {}) {
      await orm.em.fork().transactional(async (em) => {
        await em
          .getConnection()
          .execute('select pg_advisory_xact_lock(?)', [KEY_LOCK], 'all', em.getTransactionContext());
        const now = clock();
        const live = await em.find(SigningKeySchema, { state: { $ne: 'retired' } });
        const keptUntil = (key: SigningKey) => key.stateChangedAt.getTime() + maxSignedLifetimeSeconds * 1000;
        const tooYoung = live.filter((key) => key.state === 'previous' && keptUntil(key) > now.getTime());
        if (tooYoung.length > 0 && !options.force) {
          const wait = Math.ceil((Math.max(...tooYoung.map(keptUntil)) - now.getTime()) / 1000);
          throw new AppError(
            'key.rotation_too_soon',
            `tokens signed by the previous key may still be valid for ${wait}s; rotate later or use --force`,
            409,
          );
        }
        const promote: Record<KeyState, KeyState> = {
          previous: 'retired',
          current: 'previous',
          next: 'current',
          retired: 'retired',
        };
        for (const key of live) {
          key.state = promote[key.state];
          key.stateChangedAt = now;
        }
        for (const alg of SIGNING_ALGS) em.create(SigningKeySchema, await newRow(alg, 'next', now));
      });
      return this.list();
    },

    async version() {
      const rows = await orm.em
        .fork()
        .getConnection()
        .execute<{ v: string | null }[]>(
          `select string_agg(kid || ':' || state, ',' order by kid) as v from signing_keys where state <> 'retired'`,
        );
      return rows[0]?.v ?? '';
    },
  };
}
