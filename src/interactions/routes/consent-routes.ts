import type Router from '@koa/router';
import { approveConsent, denyConsent } from '../consent.ts';
import { assertCsrf } from '../csrf.ts';
import { readForm } from '../form.ts';
import { loadInteraction } from '../interaction-context.ts';
import type { InteractionDeps } from '../interaction-deps.ts';
import { assertPrompt } from '../login-page.ts';

export function consentRoutes(router: Router, deps: InteractionDeps): void {
  router.post('/interaction/:uid/consent', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const interaction = await loadInteraction(ctx, deps.getProvider());
    assertPrompt(interaction, 'consent');
    if (form.decision === 'allow') return approveConsent(ctx, interaction);
    await denyConsent(ctx, interaction);
  });

  // "Cancel" on the sign-in page: the app gets access_denied, as the user asked.
  router.post('/interaction/:uid/abort', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    await denyConsent(ctx, await loadInteraction(ctx, deps.getProvider()));
  });
}
