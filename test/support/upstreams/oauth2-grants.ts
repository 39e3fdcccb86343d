import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { UpstreamError } from './oidc-upstream.ts';

/** Someone who can sign in at a GitHub- or Facebook-shaped upstream. */
export interface OAuth2UpstreamUser {
  /** GitHub: digits (its ids are numbers); Facebook: any string. */
  id: string;
  name?: string;
  /** GitHub's username; `user-<id>` when absent. */
  login?: string;
  avatarUrl?: string;
  /** GitHub's public profile email (null: the user keeps it private). */
  publicEmail?: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

/** What the shapes' routes share: the registered client, `next`, and what was asked for. */
export interface OAuth2Registration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly next: OAuth2UpstreamUser | UpstreamError;
  readonly authorizationRequests: URLSearchParams[];
  readonly tokenRequests: URLSearchParams[];
}

interface IssuedCode {
  readonly user: OAuth2UpstreamUser;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly codeChallenge: string | undefined;
  readonly expiresAt: number;
  used: boolean;
}

export interface Grant {
  readonly user: OAuth2UpstreamUser;
  readonly scopes: readonly string[];
}

/** Why a code was not exchanged; each shape words it its own way. */
export type RedeemFailure = 'bad_code' | 'redirect_uri_mismatch' | 'bad_code_verifier';

/** Single-use codes (10 minutes, like both real services) and the access tokens they become. */
export function createGrants() {
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, Grant>();
  return {
    issueCode(grant: Grant & { redirectUri: string; codeChallenge: string | undefined }): string {
      const code = randomBytes(16).toString('hex');
      codes.set(code, { ...grant, expiresAt: Date.now() + 600_000, used: false });
      return code;
    },
    redeem(
      code: string,
      redirectUri: string | undefined,
      codeVerifier: string | undefined,
    ): { token: string; grant: Grant } | { failure: RedeemFailure } {
      const issued = codes.get(code);
      if (!issued || issued.used || issued.expiresAt < Date.now()) return { failure: 'bad_code' };
      // A failed attempt spends the code too, so a wrong verifier cannot be retried.
      issued.used = true;
      if (redirectUri !== issued.redirectUri) return { failure: 'redirect_uri_mismatch' };
      if (issued.codeChallenge !== undefined && s256(codeVerifier ?? '') !== issued.codeChallenge) {
        return { failure: 'bad_code_verifier' };
      }
      const token = `${randomBytes(20).toString('hex')}`;
      const grant = { user: issued.user, scopes: issued.scopes };
      tokens.set(token, grant);
      return { token, grant };
    },
    /** The grant behind `Authorization: Bearer|token <t>`, or `?access_token=<t>` when allowed. */
    forRequest(req: IncomingMessage, queryToken?: string | null): Grant | undefined {
      const header = /^(?:bearer|token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const token = header ?? queryToken;
      return token ? tokens.get(token) : undefined;
    },
  };
}

export type Grants = ReturnType<typeof createGrants>;

/** client_id and client_secret from HTTP Basic (RFC 6749 §2.3.1) or, failing that, the form. */
export function clientCredentials(
  req: IncomingMessage,
  form: URLSearchParams,
): { clientId: string | null; clientSecret: string | null } {
  const basic = /^basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon)),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  }
  return { clientId: form.get('client_id'), clientSecret: form.get('client_secret') };
}

/** Both services take scopes separated by spaces or commas. */
export function scopesOf(scope: string | null): string[] {
  return (scope ?? '').split(/[ ,]+/).filter(Boolean);
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
