import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { errorBody } from '@atrium/platform/server';

/** Where `console/build.js` writes the pages and assets; the same relative place from gateway/src and gateway/dist. */
export const CONSOLE_DIST_DIR = resolve(__dirname, '../../../console/dist');

/**
 * The pages' Content-Security-Policy: every script, style, font, worker and connection from this origin only, no
 * inline script or style, and no framing (clickjacking). `connect-src 'self'` covers the page's own `ws:`/`wss:`
 * origin too. The console needs nothing more: its CSS is a file and React sets styles through the CSSOM, which CSP
 * does not govern. The explorer passes `styleNonce`: Monaco (GraphiQL's editor) creates `<style>` elements at run
 * time, which the page stamps with this response's nonce (console/src/explorer/style-nonce.ts); and Monaco renders
 * its lines and widgets as HTML text with `style="…"` attributes, which no nonce or hash can cover, so that page
 * alone allows style attributes (`style-src-attr 'unsafe-inline'`). An attribute styles only its own element and
 * can load nothing (`img-src`, `font-src` still apply), while a `<style>` smuggled in as markup stays refused.
 */
export function browserCsp(styleNonce?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    styleNonce ? `style-src 'self' 'nonce-${styleNonce}'` : "style-src 'self'",
    ...(styleNonce ? ["style-src-attr 'unsafe-inline'"] : []),
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Where the built explorer page expects its per-response nonce (`<meta property="csp-nonce" nonce="…">`). */
export const NONCE_PLACEHOLDER = '__CSP_NONCE__';

export interface BrowserRouterOptions {
  /** EXPLORER_ENABLED: when false, no page or asset is served (a production default). */
  enabled: boolean;
  /** The built pages (`explorer.html`, `console.html`) and `assets/`. Default CONSOLE_DIST_DIR. */
  distDir?: string;
}

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  setSecurityHeaders(res);
  next();
}

function setSecurityHeaders(res: Response, styleNonce?: string): void {
  res.set({
    'content-security-policy': browserCsp(styleNonce),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  });
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

  const missing = (res: Response) =>
    res
      .status(503)
      .type('application/json')
      .send(errorBody('The browser pages are not built: run `pnpm build`', 'SERVICE_UNAVAILABLE'));

  const consolePage = (_req: Request, res: Response) => {
    const path = join(dist, 'console.html');
    if (!existsSync(path)) return void missing(res);
    setSecurityHeaders(res);
    res.set({ 'cache-control': 'no-cache', vary: 'Accept' });
    res.sendFile(path);
  };

  // A fresh nonce in every response (and nothing cached), so a nonce seen once is worth nothing later.
  const explorerPage = async (_req: Request, res: Response, next: NextFunction) => {
    let html: string;
    try {
      html = await readFile(join(dist, 'explorer.html'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return void missing(res);
      return next(error);
    }
    const nonce = randomBytes(18).toString('base64');
    setSecurityHeaders(res, nonce);
    res.set({ 'cache-control': 'no-store', vary: 'Accept' });
    res.type('html').send(html.replaceAll(NONCE_PLACEHOLDER, nonce));
  };

  router.get('/', explorerPage);
  router.get('/graphql', (req, res, next) => {
    if (!wantsHtml(req)) return next();
    void explorerPage(req, res, next);
  });
  router.get(['/console', '/console/*path'], consolePage);
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
