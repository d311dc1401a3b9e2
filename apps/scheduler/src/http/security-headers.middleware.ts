import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * The dashboard's policy: everything from this origin, no framing (clickjacking
 * of the cancel and approve buttons), no plugins. Styles allow 'unsafe-inline'
 * because the graph (React Flow) and Swagger UI position nodes with style
 * attributes; scripts allow only this origin plus the hashes of the page's own
 * inline scripts (the theme snippet that runs before first paint).
 */
export function contentSecurityPolicy(inlineScriptHashes: readonly string[] = []): string {
  const scripts = ["'self'", ...inlineScriptHashes.map((hash) => `'${hash}'`)].join(' ');
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** `sha256-...` sources for every inline <script> of a page, for script-src. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    ([, body]) =>
      `sha256-${createHash('sha256')
        .update(body ?? '')
        .digest('base64')}`,
  );
}

/**
 * A handful of fixed headers, written here rather than through helmet: the
 * set is small, and the one header that needs thought (CSP) is specific to
 * the dashboard either way.
 */
export function securityHeadersMiddleware(csp: string) {
  return (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Content-Security-Policy', csp);
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    response.setHeader('X-Permitted-Cross-Domain-Policies', 'none');
    next();
  };
}
