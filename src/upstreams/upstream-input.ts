import { z } from 'zod';
import { UPSTREAM_KINDS, type UpstreamKind } from '../persistence/entities/upstream-provider.ts';
import { upstreamSlug } from './upstream-slug.ts';

/** http only toward this machine (a test double, a local IdP); anything else must be https. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

const serverUrl = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      if (url.username || url.password || url.hash) return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
    } catch {
      return false;
    }
  }, 'must be an https URL (http only on loopback), without credentials or fragment');

export const OIDC_KINDS: ReadonlySet<UpstreamKind> = new Set(['google', 'microsoft', 'oidc']);

export const KIND_DEFAULTS: Record<UpstreamKind, { displayName: string; scopes: string[]; issuer?: string }> =
  {
    google: {
      displayName: 'Google',
      scopes: ['openid', 'email', 'profile'],
      issuer: 'https://accounts.google.com',
    },
    microsoft: { displayName: 'Microsoft', scopes: ['openid', 'email', 'profile'] },
    github: { displayName: 'GitHub', scopes: ['read:user', 'user:email'] },
    facebook: { displayName: 'Facebook', scopes: ['email', 'public_profile'] },
    oidc: { displayName: 'OpenID Connect', scopes: ['openid', 'email', 'profile'] },
  };

const tenant = z
  .string()
  .regex(/^[A-Za-z0-9.-]{1,100}$/, 'a directory (tenant) id or domain')
  .refine(
    (value) => !['common', 'organizations', 'consumers'].includes(value),
    'multi-tenant endpoints are not supported: name one directory (tenant)',
  );

const fields = {
  displayName: z.string().trim().min(1).max(100),
  clientId: z.string().trim().min(1).max(500),
  clientSecret: z.string().min(1).max(4000),
  issuer: serverUrl,
  tenant,
  authorizationUrl: serverUrl,
  tokenUrl: serverUrl,
  apiUrl: serverUrl,
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/, 'a scope token'))
    .min(1)
    .max(30)
    .transform((scopes) => [...new Set(scopes)]),
  autoLink: z.boolean(),
  enabled: z.boolean(),
};

export const createUpstreamInput = z
  .object({
    slug: upstreamSlug,
    kind: z.enum(UPSTREAM_KINDS),
    displayName: fields.displayName.optional(),
    clientId: fields.clientId,
    clientSecret: fields.clientSecret,
    issuer: fields.issuer.optional(),
    tenant: fields.tenant.optional(),
    authorizationUrl: fields.authorizationUrl.optional(),
    tokenUrl: fields.tokenUrl.optional(),
    apiUrl: fields.apiUrl.optional(),
    scopes: fields.scopes.optional(),
    autoLink: fields.autoLink.default(false),
    enabled: fields.enabled.default(true),
  })
  .strict()
  .superRefine((input, ctx) => kindRules(input, ctx));
export type CreateUpstreamInput = z.input<typeof createUpstreamInput>;

/** Slug and kind never change: the slug is part of the redirect URI registered at the upstream. */
export const updateUpstreamInput = z
  .object({
    displayName: fields.displayName,
    clientId: fields.clientId,
    clientSecret: fields.clientSecret,
    issuer: fields.issuer,
    tenant: fields.tenant,
    authorizationUrl: fields.authorizationUrl.nullable(),
    tokenUrl: fields.tokenUrl.nullable(),
    apiUrl: fields.apiUrl.nullable(),
    scopes: fields.scopes,
    autoLink: fields.autoLink,
    enabled: fields.enabled,
  })
  .partial()
  .strict();
export type UpdateUpstreamInput = z.input<typeof updateUpstreamInput>;

interface KindShape {
  kind: UpstreamKind;
  issuer?: string | null | undefined;
  tenant?: string | undefined;
  authorizationUrl?: string | null | undefined;
  tokenUrl?: string | null | undefined;
  apiUrl?: string | null | undefined;
  scopes?: string[] | undefined;
}

/** Which settings each kind takes: OpenID Connect kinds discover endpoints, OAuth 2 kinds may override them. */
export function kindRules(input: KindShape, ctx: z.RefinementCtx): void {
  const oidc = OIDC_KINDS.has(input.kind);
  if (input.kind === 'oidc' && !input.issuer) {
    ctx.addIssue({
      code: 'custom',
      path: ['issuer'],
      message: 'an OpenID Connect provider needs its issuer',
    });
  }
  if (input.kind === 'microsoft' && !input.issuer && !input.tenant) {
    ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'Microsoft needs the directory (tenant) id' });
  }
  if (input.tenant !== undefined && input.kind !== 'microsoft') {
    ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'only Microsoft has a tenant' });
  }
  if (!oidc && input.issuer) {
    ctx.addIssue({
      code: 'custom',
      path: ['issuer'],
      message: `${input.kind} is OAuth 2, not OpenID Connect`,
    });
  }
  if (oidc) {
    for (const field of ['authorizationUrl', 'tokenUrl', 'apiUrl'] as const) {
      if (input[field]) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'OpenID Connect endpoints come from discovery',
        });
      }
    }
    if (input.scopes && !input.scopes.includes('openid')) {
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'must include openid' });
    }
  }
}

/** Where Microsoft's directory publishes its OpenID Connect metadata. */
export function microsoftIssuer(tenantId: string): string {
  return `https://login.microsoftonline.com/${tenantId}/v2.0`;
}
