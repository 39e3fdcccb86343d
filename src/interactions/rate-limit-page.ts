import type { Context } from 'koa';
import { markRefused, type Refusal } from '../rate-limit/refusal.ts';
import { type Interaction, renderPage } from './interaction-context.ts';

const TOO_MANY = {
  title: 'Too many attempts',
  message: 'There have been too many attempts. Wait a little while, then try again.',
};

/**
 * Answers 429 with Retry-After and a plain page when a limit refused the request; true if it did.
 * The words are the same for every limit and every account, known or not.
 */
export async function refusedPage(
  ctx: Context,
  interaction: Interaction | undefined,
  refused: Refusal | undefined,
): Promise<boolean> {
  if (!refused) return false;
  markRefused(ctx, refused);
  await renderPage(ctx, interaction, 'message', TOO_MANY, 429);
  return true;
}

/**
 * What code guesses are counted against: the sign-in in progress that the code was sent for, not
 * the email field on the form, which the client can change with every guess.
 */
export function codeTarget(interactionUid: string): string {
  return `interaction:${interactionUid}`;
}
