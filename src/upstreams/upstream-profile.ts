import { z } from 'zod';

/** What Gatehouse keeps of a person as an upstream describes them. */
export interface UpstreamProfile {
  /** The upstream's stable id: with the provider, the key of the linked identity. */
  readonly subject: string;
  readonly email: string | undefined;
  /** Only true when the upstream asserts it; absent or unknown means unverified. */
  readonly emailVerified: boolean;
  readonly name: string | undefined;
  readonly givenName: string | undefined;
  readonly familyName: string | undefined;
  /** https only: a picture URL ends up in ID tokens, where javascript: or http: has no place. */
  readonly picture: string | undefined;
}

const text = z.string().trim().min(1).max(200).optional().catch(undefined);
const httpsUrl = z
  .url({ protocol: /^https$/ })
  .max(2000)
  .optional()
  .catch(undefined);
const email = z.email().max(320).optional().catch(undefined);
// Some providers send "true" as a string.
const verified = z
  .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')])
  .optional()
  .catch(undefined);

const oidcClaims = z.object({
  sub: z.string().min(1).max(255),
  email,
  email_verified: verified,
  name: text,
  given_name: text,
  family_name: text,
  picture: httpsUrl,
});

/** From an ID token (validated by openid-client) merged with userinfo for the same subject. */
export function profileFromClaims(claims: unknown): UpstreamProfile {
  const parsed = oidcClaims.parse(claims);
  return {
    subject: parsed.sub,
    email: parsed.email,
    emailVerified: parsed.email !== undefined && parsed.email_verified === true,
    name: parsed.name,
    givenName: parsed.given_name,
    familyName: parsed.family_name,
    picture: parsed.picture,
  };
}

const githubUser = z.object({
  id: z.number().int().nonnegative(),
  login: text,
  name: text.nullable().catch(undefined),
  avatar_url: httpsUrl,
});
const githubEmails = z.array(
  z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }).loose(),
);

/** GitHub: the numeric id never changes (logins do); the email is the primary one, verified or not. */
export function profileFromGithub(user: unknown, emails: unknown): UpstreamProfile {
  const parsedUser = githubUser.parse(user);
  const primary = githubEmails.parse(emails).find((entry) => entry.primary);
  const address = primary ? email.parse(primary.email) : undefined;
  return {
    subject: String(parsedUser.id),
    email: address,
    emailVerified: address !== undefined && primary?.verified === true,
    name: parsedUser.name ?? parsedUser.login,
    givenName: undefined,
    familyName: undefined,
    picture: parsedUser.avatar_url,
  };
}

const facebookMe = z.object({
  id: z.string().regex(/^\d{1,40}$/),
  name: text,
  email,
  picture: z
    .object({ data: z.object({ url: httpsUrl }) })
    .optional()
    .catch(undefined),
});

/** Facebook publishes no verified flag, so its email is treated as unverified. */
export function profileFromFacebook(me: unknown): UpstreamProfile {
  const parsed = facebookMe.parse(me);
  return {
    subject: parsed.id,
    email: parsed.email,
    emailVerified: false,
    name: parsed.name,
    givenName: undefined,
    familyName: undefined,
    picture: parsed.picture?.data.url,
  };
}
