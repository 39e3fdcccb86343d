import { randomUUID } from 'node:crypto';
import { type AppService, createAppService } from '../src/clients/app-service.ts';
import { hashClientSecret } from '../src/clients/client-secret.ts';
import { createRoleService } from '../src/clients/role-service.ts';
import type { PasswordHasher } from '../src/identity/password-hasher.ts';
import { createUserService, type UserService } from '../src/identity/user-service.ts';
import { migrateUp, type Orm } from '../src/persistence/orm.ts';
import type { Clock } from '../src/shared/clock.ts';
import {
  BACKCHANNEL_LOGOUT_URI,
  CONFORMANCE_CLIENTS,
  CONFORMANCE_ROLE,
  CONFORMANCE_USER,
  type ConformanceClient,
  POST_LOGOUT_REDIRECT_URI,
  REDIRECT_URI,
} from './clients.ts';

export interface SeedDeps {
  readonly orm: Orm;
  /** The server's HASH_SECRET: the stored HMAC of each fixed secret must be keyed with it. */
  readonly hashSecret: string;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  /** Third-party (consent shown, the default) or first-party apps. */
  readonly firstParty: boolean;
  /** One line per thing done. */
  readonly report: (line: string) => void;
}

export interface SeedResult {
  readonly userId: string;
  readonly clientIds: readonly string[];
}

/**
 * Creates (or brings back to the expected state) the conformance apps and the test user, using the
 * project's own services, so a second run changes nothing that a first run set up.
 */
export async function seedConformance(deps: SeedDeps): Promise<SeedResult> {
  const { orm, report } = deps;
  const applied = await migrateUp(orm);
  if (applied.length > 0) report(`applied migrations: ${applied.join(', ')}`);

  const apps = createAppService({ orm, hashSecret: deps.hashSecret, clock: deps.clock });
  for (const client of CONFORMANCE_CLIENTS) {
    await ensureApp(apps, client, deps.firstParty, report);
    await setFixedSecret(deps, client);
    report(`  secret of ${client.clientId} set to the one in the plan files`);
  }

  const users = createUserService({ orm, hasher: deps.hasher, clock: deps.clock });
  const userId = await ensureUser(users, report);

  const roles = createRoleService({ orm, clock: deps.clock });
  const appId = CONFORMANCE_CLIENTS[0]?.clientId ?? '';
  const role =
    (await roles.list(appId)).find((candidate) => candidate.name === CONFORMANCE_ROLE) ??
    (await roles.create(appId, { name: CONFORMANCE_ROLE, description: 'Seeded for the OIDF suite' }));
  await roles.assign(role.id, { userId });
  report(`role ${CONFORMANCE_ROLE} on ${appId} held by ${CONFORMANCE_USER.email}`);

  return { userId, clientIds: CONFORMANCE_CLIENTS.map((client) => client.clientId) };
}

async function ensureApp(
  apps: AppService,
  client: ConformanceClient,
  firstParty: boolean,
  report: (line: string) => void,
): Promise<void> {
  const wanted = {
    name: client.name,
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: [POST_LOGOUT_REDIRECT_URI],
    backchannelLogoutUri: BACKCHANNEL_LOGOUT_URI,
    firstParty,
  };
  const existing = (await apps.list()).find((app) => app.clientId === client.clientId);
  if (!existing) {
    await apps.create(
      { ...wanted, type: 'web', tokenEndpointAuthMethod: client.tokenEndpointAuthMethod },
      { clientId: client.clientId },
    );
    report(`created app ${client.clientId} (${client.key}, web, ${client.tokenEndpointAuthMethod})`);
    return;
  }
  if (existing.type !== 'web' || existing.tokenEndpointAuthMethod !== client.tokenEndpointAuthMethod) {
    // Neither can change after creation (they decide how the app authenticates).
    throw new Error(
      `app ${client.clientId} exists as ${existing.type}/${existing.tokenEndpointAuthMethod}; ` +
        `delete it (gatehouse apps delete ${client.clientId}) and seed again`,
    );
  }
  await apps.update(client.clientId, wanted);
  if (existing.disabledAt) await apps.setDisabled(client.clientId, false);
  report(`updated app ${client.clientId} (${client.key}, web, ${client.tokenEndpointAuthMethod})`);
}

/**
 * The app service only issues random secrets (shown once, stored as an HMAC). The suite needs the
 * secret written in its plan file, so the seed replaces the app's stored HMAC with the HMAC of that
 * fixed secret, keyed with the server's HASH_SECRET exactly as the app service would.
 */
async function setFixedSecret(deps: SeedDeps, client: ConformanceClient): Promise<void> {
  const hash = hashClientSecret(client.clientSecret, deps.hashSecret);
  await deps.orm.em.fork().transactional(async (em) => {
    const connection = em.getConnection();
    const context = em.getTransactionContext();
    const [app] = await connection.execute<{ id: string }[]>(
      'select id from apps where client_id = ?',
      [client.clientId],
      'all',
      context,
    );
    if (!app) throw new Error(`app ${client.clientId} vanished while seeding`);
    // One accepted secret: a rotated-out secret still in its grace period would also be accepted.
    await connection.execute('delete from app_secrets where app_id = ?', [app.id], 'run', context);
    await connection.execute(
      'insert into app_secrets (id, app_id, hash, created_at, expires_at) values (?, ?, ?, ?, null)',
      [randomUUID(), app.id, hash, deps.clock()],
      'run',
      context,
    );
  });
}

async function ensureUser(users: UserService, report: (line: string) => void): Promise<string> {
  const { email, password, name, givenName, familyName, picture, locale } = CONFORMANCE_USER;
  let user = await users.findByEmail(email);
  if (user) {
    await users.setPassword(user.id, password);
    if (!user.emailVerified) await users.markEmailVerified(user.id);
    if (user.status !== 'active') await users.setStatus(user.id, 'active');
    report(`updated user ${email} (${user.id})`);
  } else {
    user = await users.create({ email, password, name, emailVerified: true });
    report(`created user ${email} (${user.id})`);
  }
  await users.updateProfile(user.id, { name, givenName, familyName, picture, locale });
  report('  claims: sub, name, given_name, family_name, picture, locale, updated_at, email, email_verified');
  return user.id;
}
