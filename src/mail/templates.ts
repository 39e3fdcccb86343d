import { renderView } from '../shared/render-view.ts';

/** A message ready for `Mailer.send` once it has a recipient. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface SignInCodeData {
  appName: string;
  code: string;
  minutes: number;
}

export interface VerifyEmailData {
  appName: string;
  link: string;
  code: string;
  minutes: number;
}

export interface PasswordResetData {
  link: string;
  minutes: number;
}

export interface InviteData {
  link: string;
  minutes: number;
}

export type PasswordChangedData = Record<string, never>;

export interface RegistrationAttemptData {
  appName: string;
  resetLink: string;
}

/**
 * Subjects never carry codes or links: they show in notification previews and lock screens.
 * The app name is an admin-chosen string, so it is flattened to one short line.
 */
function subjectName(appName: string): string {
  const flat = appName.replace(/[\p{Cc}\s]+/gu, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

async function render(view: string, subject: string, data: object): Promise<RenderedMail> {
  const values = { ...data } as Record<string, unknown>;
  const [text, html] = await Promise.all([
    renderView(`mail/${view}.text`, values),
    renderView(`mail/${view}.html`, values),
  ]);
  return { subject, text, html };
}

/** The one-time code for passwordless sign-in. */
export function signInCode(data: SignInCodeData): Promise<RenderedMail> {
  return render('sign-in-code', `Your sign-in code for ${subjectName(data.appName)}`, data);
}

/** Confirms an address at registration: a link, or the same code typed in. */
export function verifyEmail(data: VerifyEmailData): Promise<RenderedMail> {
  return render('verify-email', `Confirm your email address for ${subjectName(data.appName)}`, data);
}

/** A single-use password reset link. */
export function passwordReset(data: PasswordResetData): Promise<RenderedMail> {
  return render('password-reset', 'Reset your password', data);
}

/** Invites are valid for days, and "10080 minutes" reads badly. */
function duration(minutes: number): string {
  const [amount, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : [minutes, 'minute'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** A set-password link for an account an administrator created (a password reset token). */
export function invite(data: InviteData): Promise<RenderedMail> {
  return render('invite', 'You are invited: choose your password', {
    link: data.link,
    validFor: duration(data.minutes),
  });
}

/** Tells the owner after the fact, so a takeover does not go unnoticed. */
export function passwordChanged(data: PasswordChangedData): Promise<RenderedMail> {
  return render('password-changed', 'Your password was changed', data);
}

/**
 * Sent to the owner of an existing account when someone registers with its address, so the
 * registration form answers the same whether or not the address is taken.
 */
export function registrationAttempt(data: RegistrationAttemptData): Promise<RenderedMail> {
  return render('registration-attempt', 'You already have an account', data);
}
