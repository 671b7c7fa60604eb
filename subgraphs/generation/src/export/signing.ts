import { createHmac, timingSafeEqual } from 'node:crypto';
import { ExportFormat } from '../generation-job/generation-job.types';

export const EXTENSIONS: Record<ExportFormat, string> = {
  [ExportFormat.MARKDOWN]: 'md',
  [ExportFormat.PDF]: 'pdf',
};

/**
 * Short-lived signed export URLs. The key is derived from INTERNAL_TOKEN_SECRET for this one purpose, so a
 * signature is useless as anything else; the URL carries no user identity, only the job, format and expiry.
 */
export class ExportSigner {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly baseUrl: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = createHmac('sha256', secret).update('atrium.generation.export-url.v1').digest();
  }

  url(jobId: string, format: ExportFormat, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + this.ttlSeconds;
    const file = `${jobId}.${EXTENSIONS[format]}`;
    return `${this.baseUrl}/exports/${file}?expires=${expires}&signature=${this.sign(file, expires)}`;
  }

  /** True when `signature` was made by this signer for `file` and `expires` has not passed. */
  verify(file: string, expires: string, signature: string, now = Date.now()): boolean {
    if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < now) return false;
    const expected = Buffer.from(this.sign(file, Number(expires)));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(file: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${file}\n${expires}`).digest('base64url');
  }
}
