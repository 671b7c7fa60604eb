import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { errorBody } from '@atrium/platform/server';

/** Where `console/build.js` writes the pages and assets; the same relative place from gateway/src and gateway/dist. */
export const CONSOLE_DIST_DIR = resolve(__dirname, '../../../console/dist');

/**
 * The pages' Content-Security-Policy: every script, style, font, worker and connection from this origin only, no
 * inline script, and no framing (clickjacking). `connect-src 'self'` covers the page's own `ws:`/`wss:` origin too.
 * Styles allow inline because GraphiQL's editor (Monaco) and its dialogs inject `<style>` elements at run time;
 * scripts never do.
 */
export const BROWSER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface BrowserRouterOptions {
  /** EXPLORER_ENABLED: when false, no page or asset is served (a production default). */
  enabled: boolean;
  /** The built pages (`explorer.html`, `console.html`) and `assets/`. Default CONSOLE_DIST_DIR. */
  distDir?: string;
}

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'content-security-policy': BROWSER_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  });
  next();
}

/**
 * A browser navigation, not an API call: the client prefers HTML to JSON. GraphQL clients (fetch, curl, graphql-ws
 * upgrade requests) never do, so they reach Apollo and its CSRF prevention exactly as before.
 */
function wantsHtml(req: Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

/**
 * The browser face: the GraphiQL explorer at `/` and at `GET /graphql` for a browser navigation, the console at
 * `/console` (and its client-side routes below it), and their static assets at `/assets/`. Serving a page runs no
 * operation, so the CSRF prevention of `/graphql` is untouched for every other request.
 */
export function browserRouter(options: BrowserRouterOptions): Router {
  const router = Router();
  if (!options.enabled) return router;
  const dist = options.distDir ?? CONSOLE_DIST_DIR;

  const page = (file: string) => (_req: Request, res: Response) => {
    const path = join(dist, file);
    if (!existsSync(path)) {
      return void res
        .status(503)
        .type('application/json')
        .send(errorBody('The browser pages are not built: run `pnpm build`', 'SERVICE_UNAVAILABLE'));
    }
    res.set({ 'cache-control': 'no-cache', vary: 'Accept' });
    res.sendFile(path);
  };

  router.get('/', securityHeaders, page('explorer.html'));
  router.get('/graphql', (req, res, next) => {
    if (!wantsHtml(req)) return next();
    securityHeaders(req, res, () => page('explorer.html')(req, res));
  });
  router.get(['/console', '/console/*path'], securityHeaders, page('console.html'));
  router.use(
    '/assets',
    securityHeaders,
    express.static(join(dist, 'assets'), {
      index: false,
      dotfiles: 'ignore',
      fallthrough: true,
      // Chunk and font names carry a content hash; entry names do not, so everything is revalidated by ETag.
      cacheControl: true,
      maxAge: 0,
    }),
  );
  return router;
}
