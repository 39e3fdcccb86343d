import { createHash } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderView } from '../shared/render-view.ts';

const AUTO_SUBMIT = "document.getElementById('logout-yes').click();";
const AUTO_SUBMIT_HASH = `'sha256-${createHash('sha256').update(AUTO_SUBMIT).digest('base64')}'`;

/**
 * RP-initiated logout. With a valid id_token_hint for the signed-in user the app asked for this
 * logout, so the page confirms itself (one hashed inline script; the button still works without
 * JavaScript). Without a hint, anyone could link here, so the user confirms.
 */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const hint = ctx.oidc.entities.IdTokenHint as { payload?: { sub?: string } } | undefined;
  const confirmed = hint?.payload?.sub !== undefined && hint.payload.sub === ctx.oidc.session?.accountId;
  if (confirmed) {
    const csp = ctx.response.get('Content-Security-Policy');
    ctx.set(
      'Content-Security-Policy',
      csp.replace("script-src 'self'", `script-src 'self' ${AUTO_SUBMIT_HASH}`),
    );
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await renderView('logout', {
    form,
    clientName: ctx.oidc.client?.clientName ?? '',
    autoSubmit: confirmed ? AUTO_SUBMIT : '',
  });
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await renderView('message', {
    title: 'Signed out',
    message: 'You are signed out. You can close this page.',
  });
}
