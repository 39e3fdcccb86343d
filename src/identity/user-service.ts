import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { type User, UserSchema, type UserStatus } from '../persistence/entities/user.ts';
import type { Orm } from '../persistence/orm.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { validate } from '../shared/validate.ts';
import { emailAddress, normalizeEmail } from './email-address.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { passwordProblem } from './password-policy.ts';

export const createUserInput = z.object({
  email: emailAddress,
  password: z.string().max(4096).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  emailVerified: z.boolean().default(false),
});
export type CreateUserInput = z.input<typeof createUserInput>;

export interface UserService {
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
  recordSignIn(id: string): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createUserService(deps: { orm: Orm; hasher: PasswordHasher; clock: Clock }): UserService {
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
      if (!UUID.test(id)) return null;
      return orm.em.fork().findOne(UserSchema, { id });
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

    async recordSignIn(id) {
      await update(id, { lastSignInAt: clock() });
    },
  };
  return service;
}
