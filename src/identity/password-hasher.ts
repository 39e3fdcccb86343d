import { randomBytes } from 'node:crypto';
import { type Algorithm, hash, parseOptions, type Version, verify } from '@node-rs/argon2';
import { createSemaphore } from '../shared/semaphore.ts';

// The package declares these as ambient `const enum`s, which type stripping cannot inline; the
// annotations make the compiler check the literals against its declarations.
const ARGON2ID: Algorithm.Argon2id = 2;
const V19: Version.V0x13 = 1;

export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/** RFC 9106's second recommended option (for when 2 GiB per hash is out of reach): 64 MiB, t=3, p=4. */
export const DEFAULT_ARGON2: Argon2Params = { memoryKiB: 65536, iterations: 3, parallelism: 4 };

export interface PasswordHasher {
  /** An argon2id PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`, with a fresh random salt. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `stored`; false (never a throw) when `stored` is not a valid hash. */
  verify(stored: string, password: string): Promise<boolean>;
  /** True when `stored` is not argon2id v19 with the configured parameters (or not a hash at all). */
  needsRehash(stored: string): boolean;
  /** Runs one verification against a fixed dummy hash with the configured params and returns false: unknown accounts pay the same cost as known ones. */
  verifyDummy(password: string): Promise<false>;
  /** How many verifications (real + dummy) ran: tests use it to prove unknown accounts pay the hash cost. */
  readonly verifications: number;
}

/**
 * argon2id through @node-rs/argon2, which needs about half the CPU of the `argon2` package at equal
 * parameters (bench/argon2.ts). Every hash and verify holds `memoryKiB` and a libuv thread while it
 * runs, and token signing was measured to stall behind them when all 4 default threads were busy,
 * so `maxConcurrent` must stay below UV_THREADPOOL_SIZE: extra logins queue here instead.
 *
 * Passwords are never trimmed, case-folded or truncated. They are Unicode-normalised to NFKC, as
 * NIST SP 800-63B recommends: the same password typed on two systems ("é" precomposed on one,
 * "e" + combining accent on another) must be the same password. This choice is fixed once hashes
 * exist: changing it later would lock out the users it affects. argon2 has no input-length limit
 * (unlike bcrypt's 72 bytes), so nothing forces truncation.
 */
export function createPasswordHasher(options: {
  params: Argon2Params;
  maxConcurrent: number;
}): PasswordHasher {
  const { memoryKiB, iterations, parallelism } = options.params;
  const argonOptions = {
    algorithm: ARGON2ID,
    version: V19,
    memoryCost: memoryKiB,
    timeCost: iterations,
    parallelism,
  };
  const slots = createSemaphore(options.maxConcurrent);
  let verifications = 0;
  let dummy: Promise<string> | undefined;

  // Built on first use, not at start-up, so processes that never log anyone in never pay for it.
  // Its password is random and discarded: nobody can know a password that matches it.
  const dummyHash = (): Promise<string> => {
    dummy ??= slots
      .run(() => hash(randomBytes(32).toString('base64url'), argonOptions))
      .catch((error: unknown) => {
        dummy = undefined;
        throw error;
      });
    return dummy;
  };

  const checkedVerify = (stored: string, password: string): Promise<boolean> =>
    slots.run(async () => {
      verifications++;
      try {
        return await verify(stored, password.normalize('NFKC'));
      } catch {
        return false;
      }
    });

  const isParsable = (stored: string): boolean => {
    try {
      parseOptions(stored);
      return true;
    } catch {
      return false;
    }
  };

  const verifyDummy = async (password: string): Promise<false> => {
    await checkedVerify(await dummyHash(), password);
    return false;
  };

  return {
    hash: (password) => slots.run(() => hash(password.normalize('NFKC'), argonOptions)),

    async verify(stored, password) {
      // A stored value that is not a hash (say, a corrupt import) still costs one full verification,
      // so its response time does not stand out from a wrong password's.
      if (!isParsable(stored)) return verifyDummy(password);
      return checkedVerify(stored, password);
    },

    needsRehash(stored) {
      try {
        const current = parseOptions(stored);
        return (
          current.algorithm !== ARGON2ID ||
          current.version !== V19 ||
          current.memoryCost !== memoryKiB ||
          current.timeCost !== iterations ||
          current.parallelism !== parallelism
        );
      } catch {
        return true;
      }
    },

    verifyDummy,

    get verifications() {
      return verifications;
    },
  };
}
