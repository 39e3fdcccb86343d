import { ConfigError, loadConfig } from '../config/load-config.ts';
import { AppError } from '../shared/app-error.ts';
import { createLogger } from '../shared/logger.ts';
import { withDatabase } from './cli-context.ts';
import { UsageError } from './cli-error.ts';
import { adminCommand } from './commands/admin-command.ts';
import { apisCommand } from './commands/apis-command.ts';
import { appsCommand } from './commands/apps-command.ts';
import { keysCommand } from './commands/keys-command.ts';
import { migrateCommand } from './commands/migrate-command.ts';
import { rolesCommand } from './commands/roles-command.ts';
import { upstreamsCommand } from './commands/upstreams-command.ts';
import { usersCommand } from './commands/users-command.ts';
import { createOutput } from './output.ts';

const HELP = `gatehouse: manage a Gatehouse OpenID Connect provider

  gatehouse migrate
  gatehouse apps create --name NAME --type web|spa|native|service|resource
                        [--redirect-uri URI]... [--post-logout-redirect-uri URI]...
                        [--cors-origin ORIGIN]... [--first-party]
                        [--token-endpoint-auth-method client_secret_basic|client_secret_post]
                        [--allow-registration] [--require-verified-email]
                        [--sign-in-method password|email_code]... [--upstream SLUG]... [--upstream-only]
                        [--logo-uri URL] [--backchannel-logout-uri URL]
  gatehouse apps list | show CLIENT_ID | delete CLIENT_ID | rotate-secret CLIENT_ID [--grace SECONDS]
  gatehouse apis create --identifier URI [--scope SCOPE]... [--name NAME] [--access-token-ttl SECONDS]
                        [--token-format jwt|opaque] [--resource-app CLIENT_ID]
  gatehouse apis list
  gatehouse apis grant --api URI --app CLIENT_ID [--scope SCOPE]...   (default: all the API's scopes)
  gatehouse apis revoke --api URI --app CLIENT_ID
  gatehouse upstreams create --slug SLUG --kind google|microsoft|github|facebook|oidc
                        --client-id ID --client-secret SECRET|--client-secret-env VAR
                        [--display-name NAME]
                        [--issuer URL] [--tenant TENANT] [--authorization-url URL]
                        [--token-url URL] [--api-url URL] [--scope SCOPE]... [--auto-link]
                        [--disabled]
  gatehouse upstreams list | show SLUG | delete SLUG
  gatehouse keys list | rotate [--force]
  gatehouse users create --email EMAIL [--password PASSWORD] [--name NAME] [--verified]
  gatehouse users list | disable ID|EMAIL | enable ID|EMAIL
  gatehouse roles create --app CLIENT_ID --name NAME [--description TEXT]
  gatehouse roles list --app CLIENT_ID | delete ROLE_ID
  gatehouse roles assign|unassign ROLE_ID --user ID|EMAIL | --service CLIENT_ID
  gatehouse admin create --email EMAIL [--password PASSWORD] [--name NAME]

Every command takes --json for machine-readable output. Configuration comes from the same
environment variables as the server (DATABASE_URL, DATA_DIR, HASH_SECRET, ...).`;

type Command = (
  ctx: Parameters<Parameters<typeof withDatabase>[3]>[0],
  out: ReturnType<typeof createOutput>,
  sub: string | undefined,
  args: string[],
) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  migrate: (ctx, out) => migrateCommand(ctx, out),
  apps: appsCommand,
  apis: apisCommand,
  upstreams: upstreamsCommand,
  keys: keysCommand,
  users: usersCommand,
  roles: rolesCommand,
  admin: adminCommand,
};

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 usage. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((arg) => arg !== '--json');
  const [name, ...rest] = args;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`gatehouse: unknown command "${name}" (see gatehouse --help)\n`);
    return 2;
  }
  const sub = name === 'migrate' ? undefined : rest[0];
  const subArgs = name === 'migrate' ? rest : rest.slice(1);
  try {
    const config = loadConfig(env);
    // Logs go to stderr so --json output on stdout stays parseable.
    const logger = createLogger(env.LOG_LEVEL ?? 'warn', process.stderr);
    await withDatabase(config, logger, { requireMigrated: name !== 'migrate' }, (ctx) =>
      command(ctx, createOutput(json), sub, subArgs),
    );
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`gatehouse: ${error.message}\n`);
      return 2;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`gatehouse: ${(error as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`gatehouse: invalid configuration: ${error.problems.join('; ')}\n`);
      return 1;
    }
    // Our own messages are written for operators, whatever their HTTP status would be.
    if (error instanceof AppError) {
      process.stderr.write(`gatehouse: ${error.message}\n`);
      return 1;
    }
    // Driver messages can quote SQL and values: name the failure, keep the detail for debug logs.
    const name = error instanceof Error ? error.name : 'error';
    const reason = /Connection|ECONNREFUSED|ENOENT|timeout/i.test(`${name} ${(error as Error)?.message}`)
      ? 'cannot reach the database'
      : `unexpected ${name}`;
    process.stderr.write(`gatehouse: ${reason} (LOG_LEVEL=debug shows details)\n`);
    createLogger(env.LOG_LEVEL ?? 'warn', process.stderr).debug({ err: error }, 'command failed');
    return 1;
  }
}
