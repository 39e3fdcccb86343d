import type { TestGatehouse } from '../gatehouse.ts';
import { createWebApp, type RelyingParty } from '../relying-party.ts';
import type { OidcUpstream } from './oidc-upstream.ts';

/**
 * Registers a running OIDC test upstream with Gatehouse under `slug` and creates a first-party web
 * app that offers it and lets new users register; returns the app as a relying party.
 */
export async function appOfferingUpstream(
  gh: TestGatehouse,
  idp: OidcUpstream,
  options: { slug: string; appName: string; displayName?: string; autoLink?: boolean },
): Promise<RelyingParty> {
  await gh.upstreams.create({
    slug: options.slug,
    kind: 'oidc',
    ...(options.displayName ? { displayName: options.displayName } : {}),
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    autoLink: options.autoLink ?? false,
  });
  return createWebApp(gh, options.appName, { allowRegistration: true, upstreams: [options.slug] });
}
