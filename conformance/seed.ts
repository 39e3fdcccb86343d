/**
 * Seeds a Gatehouse for the OpenID Foundation conformance suite: the apps of conformance/plans/*.json
 * (fixed client ids and secrets) and the test user the suite's browser signs in as. Idempotent.
 *
 *   DATABASE_URL=postgres://… HASH_SECRET=… npm exec -- node conformance/seed.ts
 *
 * HASH_SECRET must be the running server's (it keys the stored HMAC of each client secret).
 * See conformance/README.md.
 */
import { createPasswordHasher, DEFAULT_ARGON2 } from '../src/identity/password-hasher.ts';
import { createOrm } from '../src/persistence/orm.ts';
import { systemClock } from '../src/shared/clock.ts';
import { createLogger } from '../src/shared/logger.ts';
import { CONFORMANCE_FIRST_PARTY, CONFORMANCE_USER } from './clients.ts';
import { seedConformance } from './seed-conformance.ts';

function fail(message: string): never {
  process.stderr.write(`seed: ${message}\n`);
  process.exit(1);
}

const { DATABASE_URL, HASH_SECRET, NODE_ENV } = process.env;
if (NODE_ENV === 'production') fail('refusing to seed public test secrets with NODE_ENV=production');
if (!DATABASE_URL) fail('set DATABASE_URL to the PostgreSQL database of the Gatehouse under test');
if (!HASH_SECRET || HASH_SECRET.length < 32) fail('set HASH_SECRET to the server’s (at least 32 characters)');

const firstParty = process.env.CONFORMANCE_FIRST_PARTY
  ? ['1', 'true'].includes(process.env.CONFORMANCE_FIRST_PARTY)
  : CONFORMANCE_FIRST_PARTY;
const orm = await createOrm({ clientUrl: DATABASE_URL, pool: 2 }, createLogger('warn', process.stderr));
try {
  await seedConformance({
    orm,
    hashSecret: HASH_SECRET,
    // The server's default cost; a hash made with other parameters is upgraded at the next sign-in.
    hasher: createPasswordHasher({ params: DEFAULT_ARGON2, maxConcurrent: 1 }),
    clock: systemClock,
    firstParty,
    report: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `done: sign in as ${CONFORMANCE_USER.email}; apps are ${firstParty ? 'first-party (no consent page)' : 'third-party (consent page shown)'}\n`,
  );
} finally {
  await orm.close();
}
