import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { toUpstreamView } from '../../admin/schemas/upstream-schemas.ts';
import type { UpstreamProvider } from '../../persistence/entities/upstream-provider.ts';
import { AppError } from '../../shared/app-error.ts';
import { systemClock } from '../../shared/clock.ts';
import { createUpstreamInput } from '../../upstreams/upstream-input.ts';
import { createUpstreamService } from '../../upstreams/upstream-service.ts';
import type { CliContext } from '../cli-context.ts';
import { UsageError } from '../cli-error.ts';
import { type Output, table } from '../output.ts';

const CREATE_USAGE =
  'upstreams create needs --slug, --kind google|microsoft|github|facebook|oidc, --client-id and --client-secret (or --client-secret-env VARIABLE)';

/** `clientId` → `--client-id`, `scopes` → `--scope`: problems named as the operator typed them. */
function optionName(path: readonly PropertyKey[]): string {
  const [field] = path;
  if (typeof field !== 'string') return 'input';
  if (field === 'scopes') return '--scope';
  return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function checked<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${optionName(issue.path)}: ${issue.message}`);
  throw new AppError('request.invalid', problems.join('; '), 400);
}

function oneSlug(positionals: string[], usage: string): string {
  const [slug, extra] = positionals;
  if (!slug || extra) throw new UsageError(`usage: gatehouse upstreams ${usage}`);
  return slug;
}

export async function upstreamsCommand(
  ctx: CliContext,
  out: Output,
  sub: string | undefined,
  args: string[],
): Promise<void> {
  const upstreams = createUpstreamService({
    orm: ctx.orm,
    clock: systemClock,
    hashSecret: ctx.config.hashSecret,
    keyEncryptionSecret: ctx.config.keyEncryptionSecret,
  });
  // The admin API's view: the client secret, sealed or not, is never part of it.
  const describe = (provider: UpstreamProvider) => toUpstreamView(provider, ctx.config.issuer);
  const register = (provider: UpstreamProvider) =>
    `Register this redirect URI at the provider:\n  ${describe(provider).redirect_uri}`;

  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args,
        options: {
          slug: { type: 'string' },
          kind: { type: 'string' },
          'client-id': { type: 'string' },
          'client-secret': { type: 'string' },
          // Keeps the secret out of shell history and `ps`: name a variable that holds it.
          'client-secret-env': { type: 'string' },
          'display-name': { type: 'string' },
          issuer: { type: 'string' },
          tenant: { type: 'string' },
          'authorization-url': { type: 'string' },
          'token-url': { type: 'string' },
          'api-url': { type: 'string' },
          scope: { type: 'string', multiple: true },
          'auto-link': { type: 'boolean' },
          disabled: { type: 'boolean' },
        },
      });
      const secretVariable = values['client-secret-env'];
      const clientSecret =
        values['client-secret'] ?? (secretVariable ? process.env[secretVariable] : undefined);
      if (secretVariable && !process.env[secretVariable]) {
        throw new UsageError(`--client-secret-env: ${secretVariable} is not set`);
      }
      if (!values.slug || !values.kind || !values['client-id'] || !clientSecret) {
        throw new UsageError(CREATE_USAGE);
      }
      const input = checked(createUpstreamInput, {
        slug: values.slug,
        kind: values.kind,
        displayName: values['display-name'],
        clientId: values['client-id'],
        clientSecret,
        issuer: values.issuer,
        tenant: values.tenant,
        authorizationUrl: values['authorization-url'],
        tokenUrl: values['token-url'],
        apiUrl: values['api-url'],
        scopes: values.scope,
        autoLink: values['auto-link'] ?? false,
        enabled: !values.disabled,
      });
      const provider = await upstreams.create(input);
      out.result(
        describe(provider),
        `Created ${provider.kind} upstream "${provider.displayName}" (slug ${provider.slug}${provider.enabled ? '' : ', disabled'})\n${register(provider)}`,
      );
      return;
    }
    case 'list': {
      parseArgs({ args, options: {} });
      const list = await upstreams.list();
      out.result(
        list.map(describe),
        list.length === 0
          ? 'No upstream providers yet. Add one with: gatehouse upstreams create --slug SLUG --kind KIND --client-id ID --client-secret SECRET'
          : table([
              ['SLUG', 'KIND', 'NAME', 'STATUS'],
              ...list.map((provider) => [
                provider.slug,
                provider.kind,
                provider.displayName,
                provider.enabled ? 'enabled' : 'disabled',
              ]),
            ]),
      );
      return;
    }
    case 'show': {
      const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
      const provider = await upstreams.get(oneSlug(positionals, 'show SLUG'));
      const data = describe(provider);
      out.result(
        data,
        `${table(
          Object.entries(data).map(([key, value]) => [
            key,
            Array.isArray(value) ? value.join(' ') : String(value),
          ]),
        )}\n\n${register(provider)}`,
      );
      return;
    }
    case 'delete': {
      const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
      const slug = oneSlug(positionals, 'delete SLUG');
      await upstreams.remove(slug);
      out.result(
        { deleted: slug },
        `Deleted upstream provider ${slug}: its linked identities are unlinked and no app offers it any more.`,
      );
      return;
    }
    default:
      throw new UsageError('usage: gatehouse upstreams create|list|show|delete');
  }
}
