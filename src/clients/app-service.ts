import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { type App, AppSchema } from '../persistence/entities/app.ts';
import { AppSecretSchema } from '../persistence/entities/app-secret.ts';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { InvalidInput, validate } from '../shared/validate.ts';
import {
  type CreateAppInput,
  createAppInput,
  isPublicType,
  type UpdateAppInput,
  updateAppInput,
} from './app-input.ts';
import { newClientId } from './client-id.ts';
import { generateClientSecret, hashClientSecret } from './client-secret.ts';

export interface CreatedApp {
  readonly app: App;
  /** Present for confidential apps only; never retrievable again. */
  readonly clientSecret: string | undefined;
}

export interface AppService {
  create(input: CreateAppInput, options?: { builtIn?: boolean; clientId?: string }): Promise<CreatedApp>;
  update(clientId: string, patch: UpdateAppInput): Promise<App>;
  /** A disabled app gets no tokens and its existing tokens stop working. */
  setDisabled(clientId: string, disabled: boolean): Promise<App>;
  list(): Promise<App[]>;
  get(clientId: string): Promise<App>;
  remove(clientId: string): Promise<void>;
  /** Issues a new secret; the old ones stay valid for graceSeconds (0 = revoked now). */
  rotateSecret(clientId: string, graceSeconds: number): Promise<string>;
}

type TransactionalEm = Parameters<Parameters<ReturnType<Orm['em']['fork']>['transactional']>[0]>[0];

async function revokeTokensOf(em: TransactionalEm, clientId: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      `delete from oidc_payloads where payload->>'clientId' = ?`,
      [clientId],
      'run',
      em.getTransactionContext(),
    );
}

export function createAppService(deps: { orm: Orm; hashSecret: string; clock: Clock }): AppService {
  const { orm, hashSecret, clock } = deps;

  /** An app may only name upstream providers that exist (they may be switched off later). */
  async function assertUpstreamsExist(slugs: readonly string[]): Promise<void> {
    if (slugs.length === 0) return;
    const rows = await orm.em
      .getDriver()
      .getConnection()
      .execute<{ slug: string }[]>(
        'select slug from upstream_providers where slug in (select jsonb_array_elements_text(?::jsonb))',
        [JSON.stringify(slugs)],
      );
    const known = new Set(rows.map((row) => row.slug));
    const issues = slugs.flatMap((slug, index) =>
      known.has(slug) ? [] : [{ path: ['upstreams', index], message: `no upstream provider named ${slug}` }],
    );
    if (issues.length > 0) throw new InvalidInput(issues);
  }

  async function find(clientId: string): Promise<App> {
    const app = await orm.em.fork().findOne(AppSchema, { clientId });
    if (!app) throw new AppError('app.not_found', `no app with client_id ${clientId}`, 404);
    return app;
  }

  return {
    async create(input, options = {}) {
      const data = validate(createAppInput, input);
      await assertUpstreamsExist(data.upstreams);
      const now = clock();
      const confidential = !isPublicType(data.type);
      const app: App = {
        id: randomUUID(),
        // 128 random bits: client ids are public, but guessable ones invite enumeration.
        clientId: options.clientId ?? newClientId(),
        name: data.name,
        type: data.type,
        redirectUris: data.redirectUris,
        postLogoutRedirectUris: data.postLogoutRedirectUris,
        corsOrigins: data.corsOrigins,
        firstParty: data.firstParty,
        tokenEndpointAuthMethod:
          data.tokenEndpointAuthMethod ?? (confidential ? 'client_secret_basic' : 'none'),
        allowRegistration: data.allowRegistration,
        requireVerifiedEmail: data.requireVerifiedEmail,
        signInMethods: data.signInMethods,
        upstreams: data.upstreams,
        logoUri: data.logoUri,
        backchannelLogoutUri: data.backchannelLogoutUri,
        backchannelLogoutSessionRequired: data.backchannelLogoutSessionRequired,
        builtIn: options.builtIn ?? false,
        disabledAt: null,
        createdAt: now,
        updatedAt: now,
      };
      const secret = confidential ? generateClientSecret() : undefined;
      try {
        await orm.em.fork().transactional(async (em) => {
          em.create(AppSchema, app);
          // The secret row references the app; without a mapped relation the ORM cannot order the inserts.
          await em.flush();
          if (secret) {
            em.create(AppSecretSchema, {
              id: randomUUID(),
              appId: app.id,
              hash: hashClientSecret(secret, hashSecret),
              createdAt: now,
              expiresAt: null,
            });
          }
        });
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          throw new AppError('app.name_taken', `an app with client_id ${app.clientId} exists`, 409);
        }
        throw error;
      }
      return { app, clientSecret: secret };
    },

    async list() {
      return orm.em.fork().find(AppSchema, {}, { orderBy: { createdAt: 'asc' } });
    },

    get: find,

    async update(clientId, patch) {
      const app = await find(clientId);
      const changes = validate(updateAppInput, patch);
      // Re-check the whole app, so rules that relate fields (type vs redirect URIs) still hold.
      validate(createAppInput, {
        name: changes.name ?? app.name,
        type: app.type,
        redirectUris: changes.redirectUris ?? app.redirectUris,
        postLogoutRedirectUris: changes.postLogoutRedirectUris ?? app.postLogoutRedirectUris,
        corsOrigins: changes.corsOrigins ?? app.corsOrigins,
        tokenEndpointAuthMethod: app.tokenEndpointAuthMethod,
        signInMethods: changes.signInMethods ?? app.signInMethods,
        upstreams: changes.upstreams ?? app.upstreams,
        logoUri: changes.logoUri === undefined ? app.logoUri : changes.logoUri,
        backchannelLogoutUri:
          changes.backchannelLogoutUri === undefined
            ? app.backchannelLogoutUri
            : changes.backchannelLogoutUri,
      });
      if (changes.upstreams) await assertUpstreamsExist(changes.upstreams);
      await orm.em.fork().nativeUpdate(AppSchema, { id: app.id }, { ...changes, updatedAt: clock() });
      return find(clientId);
    },

    async setDisabled(clientId, disabled) {
      const app = await find(clientId);
      await orm.em.fork().transactional(async (em) => {
        await em.nativeUpdate(
          AppSchema,
          { id: app.id },
          { disabledAt: disabled ? clock() : null, updatedAt: clock() },
        );
        if (disabled) await revokeTokensOf(em, app.clientId);
      });
      return find(clientId);
    },

    async remove(clientId) {
      const app = await find(clientId);
      if (app.builtIn) throw new AppError('app.built_in', 'built-in apps cannot be deleted', 409);
      await orm.em.fork().transactional(async (em) => {
        // An app that no longer exists must not keep working tokens or sessions' grants.
        await revokeTokensOf(em, app.clientId);
        await em.nativeDelete(AppSchema, { id: app.id });
      });
    },

    async rotateSecret(clientId, graceSeconds) {
      const app = await find(clientId);
      if (isPublicType(app.type)) {
        throw new AppError('app.invalid', `a ${app.type} app is public and has no secret`, 400);
      }
      const now = clock();
      const secret = generateClientSecret();
      await orm.em.fork().transactional(async (em) => {
        const graceEnd = new Date(now.getTime() + graceSeconds * 1000);
        if (graceSeconds > 0) {
          await em.nativeUpdate(
            AppSecretSchema,
            { appId: app.id, $or: [{ expiresAt: null }, { expiresAt: { $gt: graceEnd } }] },
            { expiresAt: graceEnd },
          );
        } else {
          await em.nativeDelete(AppSecretSchema, { appId: app.id });
        }
        em.create(AppSecretSchema, {
          id: randomUUID(),
          appId: app.id,
          hash: hashClientSecret(secret, hashSecret),
          createdAt: now,
          expiresAt: null,
        });
      });
      return secret;
    },
  };
}
