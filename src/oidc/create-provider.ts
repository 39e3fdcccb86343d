import Provider from 'oidc-provider';
import { HASH_SEPARATOR } from '../clients/client-metadata.ts';
import { clientSecretMatches } from '../clients/client-secret.ts';
import type { Logger } from '../shared/logger.ts';
import { renderView } from '../shared/render-view.ts';
import { auditProtocolEvents, type RecordAudit } from './protocol-audit.ts';
import { buildProviderConfiguration, type ProviderDeps } from './provider-config.ts';

/**
 * Where oidc-provider's answers differ from the RFCs the checklist holds us to, the standard one.
 * Each case matches oidc-provider's own error text exactly; a test per case notices if it changes.
 */
const standardErrors: Parameters<Provider['use']>[0] = async (ctx, next) => {
  await next();
  const route = ctx.oidc?.route;
  const body = ctx.body as { error?: string; error_description?: string } | undefined;
  // RFC 6749 §5.2: a grant the app may not use is unauthorized_client.
  if (
    route === 'token' &&
    body?.error === 'invalid_request' &&
    body.error_description === 'requested grant type is not allowed for this client'
  ) {
    body.error = 'unauthorized_client';
  }
  // RFC 6749 §5.2: Basic credentials with an empty secret failed client authentication.
  if (
    body?.error === 'invalid_request' &&
    body.error_description === 'client_secret must be provided in the Authorization header'
  ) {
    ctx.status = 401;
    ctx.set('WWW-Authenticate', 'Basic realm="gatehouse"');
    ctx.body = { error: 'invalid_client', error_description: 'client authentication failed' };
  }
  if (route === 'introspection') {
    const token = (ctx.oidc?.params as { token?: unknown } | undefined)?.token;
    // RFC 7662 §2.1: the caller must authenticate; a public app has nothing to authenticate with.
    if (ctx.oidc?.client?.clientAuthMethod === 'none') {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Basic realm="gatehouse"');
      ctx.body = { error: 'invalid_client', error_description: 'public apps cannot use introspection' };
    } else if (typeof token === 'string' && token.length > 8192) {
      // No token Gatehouse issues is this long: refuse oversized input plainly (checklist M8).
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'the token is too large' };
    } else if (body?.error === 'unsupported_token_type') {
      // RFC 7662 §2.2: a token the server cannot vouch for (JWTs are verified offline) is inactive.
      ctx.status = 200;
      ctx.body = { active: false };
    }
  }
};

/** Builds one Provider; the holder builds a new one whenever the signing keys change. */
export function createProvider(deps: ProviderDeps & { logger: Logger; audit: RecordAudit }): Provider {
  const { config, logger } = deps;
  const provider = new Provider(config.issuer, buildProviderConfiguration(deps));
  // interactionDetails() builds its own context from the provider's proxy setting.
  provider.proxy = config.trustProxy.mode !== 'none';

  // Secrets are stored as HMACs (see client-secret.ts); this is oidc-provider's documented hook.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(actual: string) {
    const client = this as { clientSecret?: string; clientAuthMethod?: string };
    // oidc-provider accepts Basic and body credentials interchangeably; an app authenticates only
    // the way it was registered (RFC 6749 §2.3: a client uses one method), so the other fails too.
    const usedBasic = /^basic /i.test(Provider.ctx?.get('authorization') ?? '');
    const expectedBasic = client.clientAuthMethod === 'client_secret_basic';
    const stored = client.clientSecret ?? '';
    const matches = clientSecretMatches(actual, stored.split(HASH_SEPARATOR), config.hashSecret);
    return matches && usedBasic === expectedBasic;
  };

  provider.on('server_error', (ctx, error) => {
    const log = (ctx?.state as { log?: Logger } | undefined)?.log ?? logger;
    log.error({ err: error }, 'oidc-provider server error');
  });
  for (const event of ['grant.error', 'introspection.error', 'revocation.error', 'userinfo.error']) {
    // One listener shape for all four: oidc-provider's typings overload `on` per event name.
    provider.on(event as 'grant.error', (ctx, error) => {
      const log = (ctx?.state as { log?: Logger } | undefined)?.log ?? logger;
      log.info(
        { event, error: error.message, detail: (error as { error_detail?: string }).error_detail },
        event,
      );
    });
  }
  // Back-channel logout is fire-and-forget towards the apps: a failure must at least be visible.
  provider.on('backchannel.error', (ctx, error, client) => {
    const log = (ctx?.state as { log?: Logger } | undefined)?.log ?? logger;
    log.warn({ clientId: client.clientId, error: error.message }, 'back-channel logout delivery failed');
  });
  // oidc-provider builds endpoint URLs from the request's host. Pin it to the issuer's, so a forged
  // Host or X-Forwarded-Host can never point discovery (and apps' token requests) elsewhere.
  const issuerHost = new URL(config.issuer).host;
  provider.use(async (ctx, next) => {
    ctx.req.headers.host = issuerHost;
    delete ctx.req.headers['x-forwarded-host'];
    await next();
  });
  provider.use(standardErrors);
  // oidc-provider 9.13 crashes (TypeError in its error handler) on a resume URL whose resume cookie
  // is missing or names no stored sign-in; that is an expired or foreign sign-in, so answer as such.
  provider.use(async (ctx, next) => {
    if (
      /^\/auth\/[^/]+\/?$/.test(ctx.path) &&
      !(await resumable(provider, ctx.cookies.get('_interaction_resume')))
    ) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await renderView('error', {
        error: 'invalid_request',
        description:
          'This sign-in has expired or was started in another browser. Go back to the app and sign in again.',
        requestId: (ctx.state as { requestId?: string }).requestId ?? '',
      });
      return;
    }
    await next();
  });
  auditProtocolEvents(provider, deps.audit);
  return provider;
}

/** Whether a resume cookie names an interaction that is still stored. */
async function resumable(provider: Provider, cookieId: string | undefined): Promise<boolean> {
  if (!cookieId) return false;
  return (await provider.Interaction.find(cookieId)) !== undefined;
}
