import { z } from 'zod';
import type { LinkedIdentity } from '../../upstreams/identity-links.ts';
import { userIdParams } from './user-schemas.ts';
import { iso, isoOrNull, pathId, timestamp } from './wire.ts';

export const identityParams = userIdParams.extend({
  identity_id: pathId('The linked identity’s identity_id'),
});

export const identityView = z.object({
  identity_id: z.string(),
  provider: z.string().describe('The upstream provider’s slug'),
  provider_name: z.string(),
  subject: z.string().describe('The upstream’s id for the person (its `sub`, or its user id)'),
  email: z.string().nullable().describe('As the upstream last reported it; never used to find the user'),
  email_verified: z.boolean(),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
});

export const identityListView = z.object({ identities: z.array(identityView) });

export function toIdentityView(identity: LinkedIdentity): z.input<typeof identityView> {
  return {
    identity_id: identity.id,
    provider: identity.providerSlug,
    provider_name: identity.providerName,
    subject: identity.subject,
    email: identity.email,
    email_verified: identity.emailVerified,
    created_at: iso(identity.createdAt),
    last_used_at: isoOrNull(identity.lastUsedAt),
  };
}
