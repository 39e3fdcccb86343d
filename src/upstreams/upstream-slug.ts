import { z } from 'zod';

/** How apps and URLs name an upstream provider: it appears in the callback path registered upstream. */
export const upstreamSlug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'lowercase letters, digits and dashes, at most 40');

/** Where an upstream sends users back: the one URL an operator registers there, per provider. */
export function upstreamRedirectUri(issuer: string, slug: string): string {
  return `${issuer}/upstream/${slug}/callback`;
}
