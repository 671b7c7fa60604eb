import { Router, type Response } from 'express';
import { errorBody } from '@atrium/platform/server';
import type { Logger } from '@atrium/platform/logging';
import { GenerationStatus } from '../generation-job/generation-job.entity';
import type { JobStore } from '../generation-job/job-store';
import { renderPdf } from './pdf';
import type { ExportSigner } from './signing';

const FILE = /^([0-9a-f-]{36})\.(md|pdf)$/;

function refuse(res: Response, status: number, message: string, code: string): void {
  res.status(status).set('cache-control', 'no-store').type('application/json').send(errorBody(message, code));
}

function filename(title: string, ext: string): string {
  const base =
    title
      .replace(/[^\w .-]+/g, '')
      .replace(/\s+/g, '-')
      .slice(0, 80) || 'generation';
  return `${base}.${ext}`;
}

/**
 * GET /exports/<job>.<md|pdf>?expires=…&signature=… — the target of `exportUrl`, reached through the gateway.
 * The signature is the authorization (no assertion: a browser follows the link as is); it names one job and one
 * format and expires within minutes. Markdown is served as stored; PDF is rendered from it on each request.
 */
export function exportRoutes(deps: { store: JobStore; signer: ExportSigner; log: Logger }): Router {
  const router = Router();
  router.get('/exports/:file', async (req, res, next) => {
    try {
      const { store, signer } = deps;
      const file = String(req.params.file);
      const match = FILE.exec(file);
      const expires = typeof req.query.expires === 'string' ? req.query.expires : '';
      const signature = typeof req.query.signature === 'string' ? req.query.signature : '';
      if (!match || !signer.verify(file, expires, signature))
        return refuse(res, 403, 'This export link is invalid or has expired', 'FORBIDDEN');
      const job = await store.find(match[1]!);
      if (!job || job.status !== GenerationStatus.SUCCEEDED || job.output === null)
        return refuse(res, 404, 'Export not found', 'NOT_FOUND');
      const ext = match[2]!;
      res.set({
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
        'content-disposition': `attachment; filename="${filename(job.title, ext)}"`,
      });
      if (ext === 'md') return void res.type('text/markdown; charset=utf-8').send(job.output);
      res.type('application/pdf').send(await renderPdf(job.output, { title: job.title }));
    } catch (error) {
      next(error);
    }
  });
  return router;
}
