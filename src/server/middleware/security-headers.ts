import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

/**
 * Helmet before the provider: oidc-provider appends the hash of its form_post script to an existing
 * script-src. No form-action directive, because it would block form_post and logout redirects.
 */
export function securityHeaders(issuer: string): Middleware {
  const https = issuer.startsWith('https://');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'frame-ancestors': ["'none'"],
        'form-action': null,
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  }) as Middleware;
}
