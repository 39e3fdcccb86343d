/** Where the tests find PostgreSQL: TEST_DATABASE_URL names a database to connect to while creating one database per suite. */
export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Fixed secrets for tests: production-shaped (long enough), never used anywhere real. */
export const TEST_SECRETS = {
  HASH_SECRET: 'test-hash-secret-0123456789abcdef0123456789',
  COOKIE_KEYS: 'test-cookie-key-0123456789abcdef0123456789',
};
