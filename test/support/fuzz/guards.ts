import { emailAddress } from '../../../src/identity/email-address.ts';
import { passwordProblem } from '../../../src/identity/password-policy.ts';
import { encodeFields } from './fields.ts';
import type { FuzzCase } from './fuzz-case.ts';
import { USER_EMAIL } from './world.ts';

/** The body's bytes, as the server receives them. */
function bodyText(fuzzCase: FuzzCase): string | undefined {
  const body = fuzzCase.body;
  if (!body) return undefined;
  const wire =
    body.kind === 'form'
      ? Buffer.from(encodeFields(body.fields), 'latin1')
      : 'text' in body.part
        ? Buffer.from(body.part.text, 'utf8')
        : Buffer.from(body.part.raw, 'latin1');
  // Live values (a uid, a CSRF token) are long random strings: stand in for them with one.
  return wire.toString('utf8').replace(/@@\w+@@/g, 'L'.repeat(43));
}

/** The form as the sign-in pages read it (URLSearchParams over UTF-8; a repeated field is refused). */
function formOf(fuzzCase: FuzzCase): Record<string, string> | undefined {
  const text = bodyText(fuzzCase);
  if (text === undefined) return undefined;
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (key in form) return undefined;
    form[key] = value;
  }
  return form;
}

/**
 * Whether this request could legitimately create an account (registration, first-admin setup):
 * a new, valid email with an acceptable password. Such a request is a valid one and may change
 * state, so the no-state-change properties leave it out (conservatively: CSRF is not considered).
 */
export function couldCreateAccount(fuzzCase: FuzzCase): boolean {
  const form = formOf(fuzzCase);
  if (!form) return false;
  const email = emailAddress.safeParse(form.email ?? '');
  if (!email.success || email.data.toLowerCase() === USER_EMAIL) return false;
  return passwordProblem(form.password ?? '', { email: email.data }) === undefined;
}

/**
 * Whether this request could legitimately unlink the signed-in user's identity: its id in the path,
 * the signed-in browser's cookies and its CSRF token anywhere in the body (conservatively: the
 * method and the token's place are not considered).
 */
export function couldUnlink(fuzzCase: FuzzCase, identityId: string): boolean {
  return (
    fuzzCase.path.includes(identityId) &&
    (fuzzCase.headers.cookie ?? '').includes('@@accountCookies@@') &&
    JSON.stringify(fuzzCase.body ?? null).includes('@@accountCsrf@@')
  );
}
