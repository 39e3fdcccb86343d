import type { Context } from 'koa';
import type { SignInMethod } from '../persistence/entities/app.ts';
import { AppError } from '../shared/app-error.ts';
import { type Interaction, renderPage } from './interaction-context.ts';

/** The sign-in page: the methods this app allows, prefilled with login_hint or what was typed. */
export async function renderLogin(
  ctx: Context,
  interaction: Interaction,
  options: { email?: string; error?: string; notice?: string; status?: number } = {},
): Promise<void> {
  const hint = interaction.details.params.login_hint;
  await renderPage(
    ctx,
    interaction,
    'login',
    {
      email: options.email ?? (typeof hint === 'string' ? hint : ''),
      methods: interaction.settings.signInMethods,
      upstreams: interaction.settings.upstreams,
      allowRegistration: interaction.settings.allowRegistration,
      error: options.error,
      notice: options.notice,
    },
    options.status ?? 200,
  );
}

/** The server enforces the app's sign-in methods; the page only reflects them. */
export function assertMethod(interaction: Interaction, method: SignInMethod): void {
  if (!interaction.settings.signInMethods.includes(method)) {
    throw new AppError(
      'request.invalid',
      `${interaction.settings.name} does not allow this way of signing in.`,
      403,
    );
  }
}

export function assertPrompt(interaction: Interaction, name: 'login' | 'consent'): void {
  if (interaction.details.prompt.name !== name) {
    throw new AppError(
      'request.invalid',
      'This step of the sign-in is already done. Go back to the app.',
      400,
    );
  }
}
