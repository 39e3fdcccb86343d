import { randomUUID } from 'node:crypto';
import { type FilterQuery, UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { type User, UserSchema, type UserStatus } from '../persistence/entities/user.ts';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { isUuid } from '../shared/lookup-key.ts';
import { validate } from '../shared/validate.ts';
import { emailAddress, normalizeEmail } from './email-address.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { passwordProblem } from './password-policy.ts';
import { fromRow, USER_COLUMNS, type UserRow } from './user-row.ts';
import { createUserSessions, type UserSessions } from './user-sessions.ts';

export type { UserGrant, UserSession } from './user-sessions.ts';

export const createUserInput = z.object({
  email: emailAddress,
  password: z.string().max(4096).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  emailVerified: z.boolean().default(false),
});
export type CreateUserInput = z.input<typeof createUserInput>;

const profileText = z.string().trim().min(1).max(200).nullable();

/** The profile claims an operator may edit; null clears one. */
export const updateProfileInput = z
  .object({
    name: profileText,
    givenName: profileText,
    familyName: profileText,
    picture: z
      .url({ protocol: /^https$/, error: 'must be an https URL' })
      .max(2000)
      .nullable(),
    locale: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$/, 'must be a BCP 47 language tag such as en-GB')
      .nullable(),
  })
  .partial()
  .strict();
export type UpdateProfileInput = z.input<typeof updateProfileInput>;

export interface UserPage {
  /** Oldest first. */
  users: User[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const PAGE_CURSOR = z.tuple([z.iso.datetime(), z.uuid()]);

function encodePageCursor(user: User): string {
  return Buffer.from(JSON.stringify([user.createdAt.toISOString(), user.id])).toString('base64url');
}

function decodePageCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = PAGE_CURSOR.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: new Date(createdAt), id };
  } catch {
    throw new AppError('request.invalid', 'cursor is malformed', 400);
  }
}

/** A LIKE pattern that matches `text` literally anywhere. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

export interface UserService extends UserSessions {
  create(input: CreateUserInput): Promise<User>;
  findById(id: string): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  /** By id or email, for operators; throws user.not_found. */
  get(idOrEmail: string): Promise<User>;
  list(options?: { limit?: number }): Promise<User[]>;
  setStatus(id: string, status: UserStatus): Promise<User>;
  setPassword(id: string, password: string): Promise<void>;
  /** Replaces the stored hash without policy checks: a rehash of the same password. */
  replaceHash(id: string, hash: string): Promise<void>;
  markEmailVerified(id: string): Promise<void>;
  /** Removes the password: the account then signs in by code, upstream, or after a reset. */
  clearPassword(id: string): Promise<void>;
  recordSignIn(id: string): Promise<void>;
  updateProfile(id: string, patch: UpdateProfileInput): Promise<User>;
  /** Deletes the user and, in the same transaction, every session, grant and token they hold. */
  remove(id: string): Promise<void>;
  /** One page of users, oldest first, keyset-paginated; `q` matches part of the email or the name. */
  search(options?: { q?: string; limit?: number; cursor?: string }): Promise<UserPage>;
}

export function createUserService(deps: { orm: Orm; hasher: PasswordHasher; clock: Clock }): UserService {
  const sessionsView = createUserSessions({ orm: deps.orm });
  const { orm, hasher, clock } = deps;

  function assertPassword(password: string, email: string): void {
    const problem = passwordProblem(password, { email });
    if (problem) throw new AppError('user.weak_password', problem, 400);
  }

  async function update(id: string, changes: Partial<User>): Promise<void> {
    const updated = await orm.em.fork().nativeUpdate(UserSchema, { id }, { ...changes, updatedAt: clock() });
    if (updated === 0) throw new AppError('user.not_found', 'no such user', 404);
  }

  const service: UserService = {
    async create(input) {
      const data = validate(createUserInput, input);
      if (data.password !== undefined) assertPassword(data.password, data.email);
      const now = clock();
      const user: User = {
        id: randomUUID(),
        email: data.email,
        emailNormalized: normalizeEmail(data.email),
        emailVerified: data.emailVerified,
        passwordHash: data.password === undefined ? null : await hasher.hash(data.password),
        name: data.name ?? null,
        givenName: null,
        familyName: null,
        picture: null,
        locale: null,
        status: 'active',
        createdAt: now,
        updatedAt: now,
        lastSignInAt: null,
        passwordChangedAt: data.password === undefined ? null : now,
      };
      const em = orm.em.fork();
      em.create(UserSchema, user);
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          throw new AppError('user.email_taken', 'a user with this email exists', 409);
        }
        throw error;
      }
      return user;
    },

    async findById(id) {
      if (!isUuid(id)) return null;
      // Raw SQL: this runs for every userinfo, refresh and sign-in, where the ORM's unit of work
      // cost more than the query itself.
      const rows = await orm.em
        .getDriver()
        .getConnection()
        .execute<UserRow[]>(`select ${USER_COLUMNS} from users where id = ?`, [id]);
      return rows[0] ? fromRow(rows[0]) : null;
    },

    async findByEmail(email) {
      return orm.em.fork().findOne(UserSchema, { emailNormalized: normalizeEmail(email) });
    },

    async get(idOrEmail) {
      const user = idOrEmail.includes('@')
        ? await service.findByEmail(idOrEmail)
        : await service.findById(idOrEmail);
      if (!user) throw new AppError('user.not_found', `no user ${idOrEmail}`, 404);
      return user;
    },

    async list(options = {}) {
      return orm.em
        .fork()
        .find(UserSchema, {}, { orderBy: { createdAt: 'asc' }, limit: options.limit ?? 1000 });
    },

    async setStatus(id, status) {
      await update(id, { status });
      return (await service.findById(id)) as User;
    },

    async setPassword(id, password) {
      const user = await service.findById(id);
      if (!user) throw new AppError('user.not_found', 'no such user', 404);
      assertPassword(password, user.email);
      await update(id, { passwordHash: await hasher.hash(password), passwordChangedAt: clock() });
    },

    async replaceHash(id, hash) {
      await update(id, { passwordHash: hash });
    },

    async markEmailVerified(id) {
      await update(id, { emailVerified: true });
    },

    async clearPassword(id) {
      await update(id, { passwordHash: null, passwordChangedAt: clock() });
    },

    async recordSignIn(id) {
      await update(id, { lastSignInAt: clock() });
    },

    async updateProfile(id, patch) {
      const changes = validate(updateProfileInput, patch);
      if (!isUuid(id)) throw new AppError('user.not_found', 'no such user', 404);
      await update(id, changes);
      return (await service.findById(id)) as User;
    },

    async remove(id) {
      if (!isUuid(id)) throw new AppError('user.not_found', 'no such user', 404);
      await orm.em.fork().transactional(async (em) => {
        const tx = em.getTransactionContext();
        // The same rows revokeByAccountId deletes: a deleted account must not keep a working token.
        await em
          .getConnection()
          .execute(
            `delete from oidc_payloads where account_id = ? and kind <> 'Interaction'`,
            [id],
            'run',
            tx,
          );
        const deleted = await em
          .getConnection()
          .execute<{ affectedRows: number }>('delete from users where id = ?', [id], 'run', tx);
        if (deleted.affectedRows === 0) throw new AppError('user.not_found', 'no such user', 404);
      });
    },

    async search(options = {}) {
      const limit = options.limit ?? 50;
      const where: FilterQuery<User>[] = [];
      const q = options.q?.trim();
      if (q) {
        where.push({
          $or: [
            { emailNormalized: { $like: containing(q.toLowerCase()) } },
            { name: { $ilike: containing(q) } },
          ],
        });
      }
      if (options.cursor !== undefined) {
        const after = decodePageCursor(options.cursor);
        where.push({
          $or: [
            { createdAt: { $gt: after.createdAt } },
            { createdAt: after.createdAt, id: { $gt: after.id } },
          ],
        });
      }
      // One row more than asked tells whether there is a next page without a count query.
      const rows = await orm.em.fork().find(UserSchema, where.length > 0 ? { $and: where } : {}, {
        orderBy: { createdAt: 'asc', id: 'asc' },
        limit: limit + 1,
      });
      const users = rows.slice(0, limit);
      const last = users.at(-1);
      return { users, nextCursor: rows.length > limit && last ? encodePageCursor(last) : null };
    },

    ...sessionsView,
  };
  return service;
}
