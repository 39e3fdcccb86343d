import type { Client } from 'oidc-provider';
import { GATEHOUSE_METADATA, type UpstreamButton } from '../clients/client-metadata.ts';
import type { SignInMethod } from '../persistence/entities/app.ts';

export interface AppSettings {
  readonly name: string;
  readonly logo: string | undefined;
  readonly firstParty: boolean;
  readonly allowRegistration: boolean;
  readonly requireVerifiedEmail: boolean;
  readonly signInMethods: readonly SignInMethod[];
  /** The enabled upstream providers this app offers, as sign-in buttons. */
  readonly upstreams: readonly UpstreamButton[];
}

/** The per-app sign-in settings carried on oidc-provider's Client (see client-metadata.ts). */
export function appSettings(client: Client): AppSettings {
  const meta = client as unknown as Record<string, unknown>;
  return {
    name: client.clientName ?? 'an application',
    // Inline images only: no third-party request leaves a sign-in page (checklist B7).
    logo:
      typeof meta[GATEHOUSE_METADATA.inlineLogo] === 'string'
        ? (meta[GATEHOUSE_METADATA.inlineLogo] as string)
        : undefined,
    firstParty: meta[GATEHOUSE_METADATA.firstParty] === true,
    allowRegistration: meta[GATEHOUSE_METADATA.allowRegistration] === true,
    requireVerifiedEmail: meta[GATEHOUSE_METADATA.requireVerifiedEmail] === true,
    signInMethods: (meta[GATEHOUSE_METADATA.signInMethods] as SignInMethod[] | undefined) ?? ['password'],
    upstreams: (meta[GATEHOUSE_METADATA.upstreams] as UpstreamButton[] | undefined) ?? [],
  };
}
