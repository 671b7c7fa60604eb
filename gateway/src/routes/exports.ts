import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Router } from 'express';
import type { Logger } from '@atrium/platform/logging';
import { errorBody } from '@atrium/platform/server';

export interface ExportsRouterOptions {
  /** The generation subgraph's GraphQL URL (GENERATION_URL); its origin serves `/exports/*`. */
  generationUrl: string;
  log: Logger;
  /** Longest an export may take to start and stream, in ms. Default 30 000; then 504. */
  timeoutMs?: number;
}

const FILE = /^[\w-]{1,64}\.(md|pdf)$/;
const PASSED_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'cache-control',
  'x-content-type-options',
];

/**
 * GET /exports/<job>.<md|pdf>?expires=…&signature=… — the signed export links of `GenerationJob.exportUrl`,
 * proxied to the generation subgraph and streamed back. The signature is the authorization, checked by the
 * subgraph, so no assertion is added; only the two signed parameters are forwarded. Failures never reveal the
 * subgraph's address.
 */
export function exportsRouter(options: ExportsRouterOptions): Router {
  const origin = new URL(options.generationUrl).origin;
  const router = Router();
  router.get('/exports/:file', async (req, res) => {
    const file = String(req.params.file);
    if (!FILE.test(file))
      return void res.status(404).type('application/json').send(errorBody('Not found', 'NOT_FOUND'));
    const query = new URLSearchParams();
    for (const name of ['expires', 'signature']) {
      const value = req.query[name];
      if (typeof value === 'string') query.set(name, value);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30_000);
    res.on('close', () => controller.abort());
    try {
      const upstream = await fetch(`${origin}/exports/${file}?${query}`, { signal: controller.signal });
      res.status(upstream.status);
      for (const name of PASSED_HEADERS) {
        const value = upstream.headers.get(name);
        if (value !== null) res.set(name, value);
      }
      if (!upstream.body) return void res.end();
      Readable.fromWeb(upstream.body as unknown as WebReadableStream)
        .on('error', () => res.destroy())
        .pipe(res);
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      const timedOut = controller.signal.aborted && !res.writableEnded;
      options.log.warn({ err: error }, 'export proxy failed');
      res
        .status(timedOut ? 504 : 502)
        .type('application/json')
        .send(
          timedOut
            ? errorBody('The export did not start in time', 'GATEWAY_TIMEOUT')
            : errorBody('The generation service is unavailable', 'SUBGRAPH_UNAVAILABLE'),
        );
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}
