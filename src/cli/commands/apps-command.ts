import { parseArgs } from 'node:util';
import { toAppView } from '../../admin/schemas/app-schemas.ts';
import { createAppService } from '../../clients/app-service.ts';
import type { App } from '../../persistence/entities/app.ts';
import { systemClock } from '../../shared/clock.ts';
import type { CliContext } from '../cli-context.ts';
import { UsageError } from '../cli-error.ts';
import { type Output, table } from '../output.ts';

// The admin API's view, so an operator sees one shape whichever tool they use.
const describe = toAppView;

function oneClientId(positionals: string[], usage: string): string {
  const [clientId, extra] = positionals;
  if (!clientId || extra) throw new UsageError(`usage: gatehouse apps ${usage}`);
  return clientId;
}

export async function appsCommand(
  ctx: CliContext,
  out: Output,
  sub: string | undefined,
  args: string[],
): Promise<void> {
  const apps = createAppService({ orm: ctx.orm, hashSecret: ctx.config.hashSecret, clock: systemClock });
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args,
        options: {
          name: { type: 'string' },
          type: { type: 'string' },
          'redirect-uri': { type: 'string', multiple: true },
          'post-logout-redirect-uri': { type: 'string', multiple: true },
          'cors-origin': { type: 'string', multiple: true },
          'first-party': { type: 'boolean' },
          'token-endpoint-auth-method': { type: 'string' },
          'allow-registration': { type: 'boolean' },
          'require-verified-email': { type: 'boolean' },
          'sign-in-method': { type: 'string', multiple: true },
          upstream: { type: 'string', multiple: true },
          // Signs users in only through the --upstream providers (an enterprise's own IdP).
          'upstream-only': { type: 'boolean' },
          'logo-uri': { type: 'string' },
          'backchannel-logout-uri': { type: 'string' },
        },
      });
      if (!values.name || !values.type) throw new UsageError('apps create needs --name and --type');
      const { app, clientSecret } = await apps.create({
        name: values.name,
        type: values.type as App['type'],
        redirectUris: values['redirect-uri'] ?? [],
        postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
        corsOrigins: values['cors-origin'] ?? [],
        firstParty: values['first-party'] ?? false,
        tokenEndpointAuthMethod: values['token-endpoint-auth-method'] as
          | App['tokenEndpointAuthMethod']
          | undefined,
        allowRegistration: values['allow-registration'] ?? false,
        requireVerifiedEmail: values['require-verified-email'] ?? false,
        ...(values['sign-in-method']
          ? { signInMethods: values['sign-in-method'] as App['signInMethods'] }
          : {}),
        ...(values['upstream-only'] ? { signInMethods: [] } : {}),
        upstreams: values.upstream ?? [],
        logoUri: values['logo-uri'] ?? null,
        backchannelLogoutUri: values['backchannel-logout-uri'] ?? null,
      });
      const secretLine = clientSecret
        ? `client_secret: ${clientSecret}\n\nStore the secret now: it is shown only once.`
        : '(public app: no secret; PKCE is required)';
      out.result(
        { ...describe(app), ...(clientSecret ? { client_secret: clientSecret } : {}) },
        `Created ${app.type} app "${app.name}"\nclient_id:     ${app.clientId}\n${secretLine}`,
      );
      return;
    }
    case 'list': {
      parseArgs({ args, options: {} });
      const list = await apps.list();
      out.result(
        list.map(describe),
        list.length === 0
          ? 'No apps yet. Create one with: gatehouse apps create --name NAME --type web|spa|native|service|resource'
          : table([
              ['CLIENT_ID', 'NAME', 'TYPE', 'STATUS'],
              ...list.map((app) => [
                app.clientId,
                app.name,
                app.type,
                app.disabledAt ? 'disabled' : 'active',
              ]),
            ]),
      );
      return;
    }
    case 'show': {
      const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
      const app = await apps.get(oneClientId(positionals, 'show CLIENT_ID'));
      const data = describe(app);
      out.result(
        data,
        table(
          Object.entries(data).map(([key, value]) => [
            key,
            Array.isArray(value) ? value.join(' ') : String(value),
          ]),
        ),
      );
      return;
    }
    case 'delete': {
      const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
      const clientId = oneClientId(positionals, 'delete CLIENT_ID');
      await apps.remove(clientId);
      out.result({ deleted: clientId }, `Deleted app ${clientId} and revoked its tokens.`);
      return;
    }
    case 'rotate-secret': {
      const { values, positionals } = parseArgs({
        args,
        options: { grace: { type: 'string' } },
        allowPositionals: true,
      });
      const clientId = oneClientId(positionals, 'rotate-secret CLIENT_ID [--grace SECONDS]');
      const grace = Number(values.grace ?? 0);
      if (!Number.isInteger(grace) || grace < 0 || grace > 30 * 86_400) {
        throw new UsageError('--grace takes whole seconds from 0 to 2592000');
      }
      const secret = await apps.rotateSecret(clientId, grace);
      const old =
        grace > 0
          ? `The previous secret keeps working for ${grace}s.`
          : 'The previous secret no longer works.';
      out.result(
        { client_id: clientId, client_secret: secret, previous_valid_for_seconds: grace },
        `client_secret: ${secret}\n${old}\nStore the secret now: it is shown only once.`,
      );
      return;
    }
    default:
      throw new UsageError('usage: gatehouse apps create|list|show|delete|rotate-secret');
  }
}
