import { parseArgs } from 'node:util';
import { createApiService } from '../../clients/api-service.ts';
import type { Api } from '../../persistence/entities/api.ts';
import { systemClock } from '../../shared/clock.ts';
import type { CliContext } from '../cli-context.ts';
import { UsageError } from '../cli-error.ts';
import { type Output, table } from '../output.ts';

const describe = (api: Api) => ({
  identifier: api.identifier,
  name: api.name,
  scopes: api.scopes,
  access_token_ttl: api.accessTokenTtl,
  token_format: api.tokenFormat,
  created_at: api.createdAt.toISOString(),
});

export async function apisCommand(
  ctx: CliContext,
  out: Output,
  sub: string | undefined,
  args: string[],
): Promise<void> {
  const apis = createApiService({ orm: ctx.orm, clock: systemClock });
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args,
        options: {
          identifier: { type: 'string' },
          name: { type: 'string' },
          scope: { type: 'string', multiple: true },
          'access-token-ttl': { type: 'string' },
          'token-format': { type: 'string' },
          'resource-app': { type: 'string' },
        },
      });
      if (!values.identifier) throw new UsageError('apis create needs --identifier URI');
      const ttl = values['access-token-ttl'];
      if (ttl !== undefined && !/^\d+$/.test(ttl))
        throw new UsageError('--access-token-ttl takes whole seconds');
      const api = await apis.create({
        identifier: values.identifier,
        name: values.name,
        scopes: values.scope ?? [],
        accessTokenTtl: ttl === undefined ? null : Number(ttl),
        tokenFormat: (values['token-format'] ?? 'jwt') as 'jwt' | 'opaque',
        resourceApp: values['resource-app'] ?? null,
      });
      out.result(
        describe(api),
        `Created API ${api.identifier} with scopes: ${api.scopes.join(' ') || '(none)'}`,
      );
      return;
    }
    case 'list': {
      parseArgs({ args, options: {} });
      const list = await apis.list();
      out.result(
        list.map(describe),
        list.length === 0
          ? 'No APIs yet. Register one with: gatehouse apis create --identifier https://api.example.com --scope read'
          : table([['IDENTIFIER', 'SCOPES'], ...list.map((api) => [api.identifier, api.scopes.join(' ')])]),
      );
      return;
    }
    case 'grant':
    case 'revoke': {
      const { values } = parseArgs({
        args,
        options: {
          api: { type: 'string' },
          app: { type: 'string' },
          scope: { type: 'string', multiple: true },
        },
      });
      if (!values.api || !values.app) throw new UsageError(`apis ${sub} needs --api URI and --app CLIENT_ID`);
      if (sub === 'revoke') {
        await apis.revokeAccess(values.app, values.api);
        out.result(
          { revoked: true, client_id: values.app, api: values.api },
          `${values.app} may no longer call ${values.api}.`,
        );
        return;
      }
      const access = await apis.grantAccess(values.app, values.api, values.scope);
      out.result(
        { client_id: access.clientId, api: access.identifier, scopes: access.scopes },
        `${access.clientId} may now ask for tokens for ${access.identifier} with scopes: ${access.scopes.join(' ') || '(none)'}`,
      );
      return;
    }
    default:
      throw new UsageError('usage: gatehouse apis create|list|grant|revoke');
  }
}
