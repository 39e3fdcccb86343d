import type Router from '@koa/router';
import { AppError } from '../../shared/app-error.ts';
import { approveConsent, renderConsent } from '../consent.ts';
import { loadInteraction } from '../interaction-context.ts';
import type { InteractionDeps } from '../interaction-deps.ts';
import { renderLogin } from '../login-page.ts';

/** Where oidc-provider sends the browser: the sign-in page, or consent once signed in. */
export function startRoute(router: Router, deps: InteractionDeps): void {
  router.get('/interaction/:uid', async (ctx) => {
    const interaction = await loadInteraction(ctx, deps.getProvider());
    const prompt = interaction.details.prompt.name;
    if (prompt === 'login') return renderLogin(ctx, interaction);
    if (prompt === 'consent') {
      // First-party apps are the operator's own: asking the user would only train them to click yes.
      if (interaction.settings.firstParty) return approveConsent(ctx, interaction);
      return renderConsent(ctx, deps, interaction);
    }
    throw new AppError('request.invalid', 'This sign-in step is not supported.', 400);
  });
}
