import type { User } from '../persistence/entities/user.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { UserService } from './user-service.ts';

export type PasswordOutcome =
  | { readonly outcome: 'ok'; readonly user: User }
  | { readonly outcome: 'invalid' }
  | { readonly outcome: 'disabled' };

/**
 * Email + password. Every path runs exactly one argon2 verification — unknown emails and
 * password-less accounts against a dummy hash — so neither the answer nor its timing says
 * whether an account exists. "disabled" is only revealed to someone who knows the password.
 */
export type PasswordAuthenticator = (email: string, password: string) => Promise<PasswordOutcome>;

export function createPasswordAuthenticator(deps: {
  users: UserService;
  hasher: PasswordHasher;
}): PasswordAuthenticator {
  const { users, hasher } = deps;
  return async function authenticate(email, password) {
    const user = await users.findByEmail(email);
    if (!user?.passwordHash) {
      await hasher.verifyDummy(password);
      return { outcome: 'invalid' };
    }
    if (!(await hasher.verify(user.passwordHash, password))) return { outcome: 'invalid' };
    if (user.status !== 'active') return { outcome: 'disabled' };
    // Parameters raised since this hash was made: upgrade it now that we hold the password.
    if (hasher.needsRehash(user.passwordHash)) await users.replaceHash(user.id, await hasher.hash(password));
    return { outcome: 'ok', user };
  };
}
