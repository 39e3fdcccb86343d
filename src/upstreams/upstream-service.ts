import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { type UpstreamProvider, UpstreamProviderSchema } from '../persistence/entities/upstream-provider.ts';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { openText, sealText } from '../shared/sealed-text.ts';
import { validate } from '../shared/validate.ts';
import {
  type CreateUpstreamInput,
  createUpstreamInput,
  KIND_DEFAULTS,
  microsoftIssuer,
  type UpdateUpstreamInput,
  updateUpstreamInput,
} from './upstream-input.ts';

const PURPOSE = 'upstream-client-secret';

/** An enabled provider with its secret opened, for one trip to the upstream. */
export interface ActiveUpstream {
  readonly provider: UpstreamProvider;
  readonly clientSecret: string;
}

/**
 * Upstream identity providers. Client secrets are sealed with AES-256-GCM under
 * KEY_ENCRYPTION_SECRET (HASH_SECRET when that is not set) and never leave this module sealed or
 * not, except to the sign-in flow that presents them to the upstream.
 */
export function createUpstreamService(deps: {
  orm: Orm;
  clock: Clock;
  hashSecret: string;
  keyEncryptionSecret: string | undefined;
}) {
  const { orm, clock } = deps;
  const sealingSecret = deps.keyEncryptionSecret ?? deps.hashSecret;
  // Opening also tries HASH_SECRET, so setting KEY_ENCRYPTION_SECRET later does not strand old rows.
  const openingSecrets = [deps.keyEncryptionSecret, deps.hashSecret].filter((s): s is string => !!s);

  async function find(slug: string): Promise<UpstreamProvider> {
    const provider = await orm.em.fork().findOne(UpstreamProviderSchema, { slug });
    if (!provider) throw new AppError('upstream.not_found', `no upstream provider named ${slug}`, 404);
    return provider;
  }

  function openSecret(provider: UpstreamProvider): string {
    for (const secret of openingSecrets) {
      const opened = openText(provider.clientSecretSealed, secret, PURPOSE);
      if (opened !== undefined) return opened;
    }
    throw new AppError(
      'upstream.unavailable',
      `the client secret of ${provider.slug} cannot be opened with the configured secrets`,
      500,
    );
  }

  return {
    async create(input: CreateUpstreamInput): Promise<UpstreamProvider> {
      const data = validate(createUpstreamInput, input);
      const defaults = KIND_DEFAULTS[data.kind];
      const now = clock();
      const provider: UpstreamProvider = {
        id: randomUUID(),
        slug: data.slug,
        kind: data.kind,
        displayName: data.displayName ?? defaults.displayName,
        clientId: data.clientId,
        clientSecretSealed: sealText(data.clientSecret, sealingSecret, PURPOSE),
        issuer: data.issuer ?? (data.tenant ? microsoftIssuer(data.tenant) : (defaults.issuer ?? null)),
        authorizationUrl: data.authorizationUrl ?? null,
        tokenUrl: data.tokenUrl ?? null,
        apiUrl: data.apiUrl ?? null,
        scopes: data.scopes ?? defaults.scopes,
        autoLink: data.autoLink,
        enabled: data.enabled,
        createdAt: now,
        updatedAt: now,
      };
      try {
        const em = orm.em.fork();
        em.create(UpstreamProviderSchema, provider);
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          throw new AppError('upstream.slug_taken', `an upstream provider named ${data.slug} exists`, 409);
        }
        throw error;
      }
      return provider;
    },

    async list(): Promise<UpstreamProvider[]> {
      return orm.em.fork().find(UpstreamProviderSchema, {}, { orderBy: { createdAt: 'asc' } });
    },

    get: find,

    async update(slug: string, patch: UpdateUpstreamInput): Promise<UpstreamProvider> {
      const provider = await find(slug);
      const changes = validate(updateUpstreamInput, patch);
      // A tenant means something only to Microsoft; the kind rules below refuse it elsewhere.
      const issuer =
        changes.tenant && provider.kind === 'microsoft' ? microsoftIssuer(changes.tenant) : changes.issuer;
      // The kind's rules hold for the result, not just for the patch.
      validate(createUpstreamInput, {
        slug: provider.slug,
        kind: provider.kind,
        clientId: changes.clientId ?? provider.clientId,
        clientSecret: 'unchanged',
        ...(changes.tenant === undefined ? {} : { tenant: changes.tenant }),
        ...compactNull({
          issuer: issuer ?? provider.issuer,
          authorizationUrl:
            changes.authorizationUrl === undefined ? provider.authorizationUrl : changes.authorizationUrl,
          tokenUrl: changes.tokenUrl === undefined ? provider.tokenUrl : changes.tokenUrl,
          apiUrl: changes.apiUrl === undefined ? provider.apiUrl : changes.apiUrl,
        }),
        scopes: changes.scopes ?? provider.scopes,
      });
      const { clientSecret, tenant: _tenant, ...rest } = changes;
      await orm.em.fork().nativeUpdate(
        UpstreamProviderSchema,
        { id: provider.id },
        {
          ...rest,
          ...(issuer ? { issuer } : {}),
          ...(clientSecret ? { clientSecretSealed: sealText(clientSecret, sealingSecret, PURPOSE) } : {}),
          updatedAt: clock(),
        },
      );
      return find(slug);
    },

    /** Unlinks every identity of the provider and takes it off every app. */
    async remove(slug: string): Promise<void> {
      const provider = await find(slug);
      await orm.em.fork().transactional(async (em) => {
        const connection = em.getConnection();
        const tx = em.getTransactionContext();
        await connection.execute(
          `update apps set upstreams = upstreams - ?::text where upstreams @> jsonb_build_array(?::text)`,
          [slug, slug],
          'run',
          tx,
        );
        await connection.execute('delete from upstream_providers where id = ?', [provider.id], 'run', tx);
      });
    },

    /** The provider for a sign-in: enabled and offered by the app, or undefined. */
    async forSignIn(slug: string, offered: readonly string[]): Promise<ActiveUpstream | undefined> {
      if (!offered.includes(slug)) return undefined;
      const provider = await orm.em.fork().findOne(UpstreamProviderSchema, { slug, enabled: true });
      return provider ? { provider, clientSecret: openSecret(provider) } : undefined;
    },

    async byId(id: string): Promise<UpstreamProvider | undefined> {
      return (await orm.em.fork().findOne(UpstreamProviderSchema, { id })) ?? undefined;
    },
  };
}

function compactNull<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null)) as Partial<T>;
}

export type UpstreamService = ReturnType<typeof createUpstreamService>;
