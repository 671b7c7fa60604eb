import { Leftovers } from '@atrium/platform/testing';
import { ExportSigner } from '../src/export/signing';
import { ExportFormat } from '../src/generation-job/generation-job.types';
import { parsePdf } from '../../../test/src/pdf';
import { GENERATE, SECRET, startGeneration, user, waitForJob, type Harness } from './support/harness';

const alice = user('u-alice');
const EXPORT = `query($id: ID!, $format: ExportFormat!) { generationJob(id: $id) { status output exportUrl(format: $format) } }`;

describe('exports of a finished job', () => {
  const leftovers = new Leftovers();
  let harness: Harness;
  let jobId: string;
  beforeAll(async () => {
    harness = await startGeneration(
      {
        GENERATION_LOCAL_CHUNK_DELAY_MS: '0',
        GENERATION_EXPORT_BASE_URL: 'https://atrium.example',
      },
      leftovers,
    );
    const response = await harness.gql<{ generate: { id: string } }>(alice, GENERATE, {
      input: {
        kind: 'BATTLECARD',
        prompt: 'Acme is expensive. We integrate faster.',
        battlecard: { competitorName: 'Acme', focusAreas: ['Security', 'Price'] },
      },
    });
    jobId = response.body.data!.generate.id;
    await waitForJob(harness, alice, jobId);
  });
  afterAll(() => leftovers.dispose());

  /** The signed URL points at the gateway; the subgraph serves the same path and query. */
  async function exportUrl(format: 'PDF' | 'MARKDOWN'): Promise<{ url: string; output: string }> {
    const response = await harness.gql<{ generationJob: { exportUrl: string; output: string } }>(
      alice,
      EXPORT,
      { id: jobId, format },
    );
    const { exportUrl: signed, output } = response.body.data!.generationJob;
    expect(signed.startsWith(`https://atrium.example/exports/${jobId}.`)).toBe(true);
    return { url: signed.replace('https://atrium.example', harness.origin), output };
  }

  it('renders the PDF from the Markdown: parsed back, it holds the title and every section heading', async () => {
    const { url } = await exportUrl('PDF');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('cache-control')).toContain('no-store');
    // pdf.js rejects the first document or two of a process with "bad XRef entry" at random: parsePdf checks the
    // cross-reference table itself, then retries (test/src/pdf.ts).
    const parsed = await parsePdf(Buffer.from(await response.arrayBuffer()));
    expect(parsed.numpages).toBeGreaterThanOrEqual(1);
    for (const heading of [
      'Battlecard: Acme',
      'Overview',
      'Strengths',
      'Weaknesses',
      'Objection handling',
      'Pricing',
      'Win themes',
    ])
      expect(parsed.text).toContain(heading);
    expect(parsed.text).toContain('Security');
    expect(parsed.text).not.toContain('## ');
  });

  it('serves the Markdown as stored', async () => {
    const { url, output } = await exportUrl('MARKDOWN');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(await response.text()).toBe(output);
  });

  it('refuses a tampered, re-targeted or expired link', async () => {
    const { url } = await exportUrl('PDF');
    const tampered = url.replace(/signature=./, (m) => `signature=${m.endsWith('A') ? 'B' : 'A'}`);
    expect((await fetch(tampered)).status).toBe(403);
    expect((await fetch(url.replace('.pdf?', '.md?'))).status).toBe(403);
    const expired = new ExportSigner(SECRET, harness.origin, 10).url(
      jobId,
      ExportFormat.PDF,
      Date.now() - 60_000,
    );
    expect((await fetch(expired)).status).toBe(403);
    const foreign = new ExportSigner('another-secret-another-secret-another', harness.origin, 60).url(
      jobId,
      ExportFormat.PDF,
    );
    expect((await fetch(foreign)).status).toBe(403);
  });

  it('gives no URL before the job succeeded', async () => {
    const slow = await startGeneration({ GENERATION_LOCAL_CHUNK_DELAY_MS: '500' }, leftovers);
    const response = await slow.gql<{ generate: { id: string } }>(alice, GENERATE, {
      input: { kind: 'SUMMARY', prompt: 'Wait.' },
    });
    const id = response.body.data!.generate.id;
    const read = await slow.gql<{ generationJob: { exportUrl: string | null } }>(alice, EXPORT, {
      id,
      format: 'PDF',
    });
    expect(read.body.data!.generationJob.exportUrl).toBeNull();
    await slow.gql(alice, 'mutation($id: ID!) { cancelGeneration(id: $id) { id } }', { id });
  });
});
