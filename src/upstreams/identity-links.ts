import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { type UserIdentity, UserIdentitySchema } from '../persistence/entities/user-identity.ts';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { isUuid } from '../shared/lookup-key.ts';

/** A linked identity with the provider's name, for account pages and the admin API. */
export interface LinkedIdentity extends UserIdentity {
  readonly providerSlug: string;
  readonly providerName: string;
}

/** Which upstream accounts belong to which user: found by (provider, subject), never by email. */
export function createIdentityLinks(deps: { orm: Orm; clock: Clock }) {
  const { orm, clock } = deps;

  return {
    async find(providerId: string, subject: string): Promise<UserIdentity | undefined> {
      return (await orm.em.fork().findOne(UserIdentitySchema, { providerId, subject })) ?? undefined;
    },

    /** Links an upstream account; a race that linked it first wins and this one is refused. */
    async link(
      userId: string,
      providerId: string,
      subject: string,
      email: string | undefined,
      emailVerified: boolean,
    ): Promise<UserIdentity> {
      const now = clock();
      const identity: UserIdentity = {
        id: randomUUID(),
        userId,
        providerId,
        subject,
        email: email ?? null,
        emailVerified,
        createdAt: now,
        lastUsedAt: now,
      };
      try {
        const em = orm.em.fork();
        em.create(UserIdentitySchema, identity);
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          throw new AppError('request.invalid', 'This account is already linked to someone.', 409);
        }
        throw error;
      }
      return identity;
    },

    async touch(id: string, email: string | undefined, emailVerified: boolean): Promise<void> {
      await orm.em
        .fork()
        .nativeUpdate(
          UserIdentitySchema,
          { id },
          { lastUsedAt: clock(), email: email ?? null, emailVerified },
        );
    },

    async listForUser(userId: string): Promise<LinkedIdentity[]> {
      if (!isUuid(userId)) return [];
      const rows = await orm.em
        .getDriver()
        .getConnection()
        .execute<
          {
            id: string;
            user_id: string;
            provider_id: string;
            subject: string;
            email: string | null;
            email_verified: boolean;
            created_at: Date;
            last_used_at: Date | null;
            slug: string;
            display_name: string;
          }[]
        >(
          `select i.*, p.slug, p.display_name from user_identities i
             join upstream_providers p on p.id = i.provider_id
            where i.user_id = ? order by i.created_at`,
          [userId],
        );
      return rows.map((row) => ({
        id: row.id,
        userId: row.user_id,
        providerId: row.provider_id,
        subject: row.subject,
        email: row.email,
        emailVerified: row.email_verified,
        createdAt: new Date(row.created_at),
        lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
        providerSlug: row.slug,
        providerName: row.display_name,
      }));
    },

    /** Unlinks one identity of this user; 404 when it is not theirs. */
    async unlink(userId: string, identityId: string): Promise<void> {
      const removed = isUuid(identityId)
        ? await orm.em.fork().nativeDelete(UserIdentitySchema, { id: identityId, userId })
        : 0;
      if (removed === 0) throw new AppError('identity.not_found', 'no such linked identity', 404);
    },
  };
}

export type IdentityLinks = ReturnType<typeof createIdentityLinks>;
