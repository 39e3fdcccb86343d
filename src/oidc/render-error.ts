import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderView } from '../shared/render-view.ts';

/**
 * oidc-provider's user-facing errors (bad client, bad redirect_uri, expired interaction). The
 * description is oidc-provider's own text, never a stack; everything is escaped by the view.
 */
export async function renderError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
  _error: Error,
): Promise<void> {
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await renderView('error', {
    error: out.error,
    description: out.error_description ?? '',
    requestId: (ctx.state as { requestId?: string }).requestId ?? '',
  });
}
