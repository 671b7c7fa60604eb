import { Leftovers } from '@atrium/platform/testing';
import { collect, GENERATE, startGeneration, user, waitForJob, WATCH, type Harness } from './support/harness';

const alice = user('u-alice');

describe('generation on the embedded default (SQLite, in-process queue and worker)', () => {
  const leftovers = new Leftovers();
  let harness: Harness;
  beforeAll(async () => {
    harness = await startGeneration({ GENERATION_LOCAL_CHUNK_DELAY_MS: '5' }, leftovers);
  });
  afterAll(() => leftovers.dispose());

  it('generates a battlecard with the local template engine and says what it is', async () => {
    const response = await harness.gql<{ generate: { id: string; status: string; title: string } }>(
      alice,
      GENERATE,
      {
        input: {
          kind: 'BATTLECARD',
          prompt: 'They are expensive. Our onboarding is faster.',
          battlecard: { competitorName: 'Acme' },
        },
      },
    );
    expect(response.body.errors).toBeUndefined();
    const created = response.body.data!.generate;
    expect(created).toMatchObject({ status: 'QUEUED', title: 'Battlecard: Acme' });
    const job = await waitForJob<{ status: string; output: string; provider: string }>(
      harness,
      alice,
      created.id,
    );
    expect(job.status).toBe('SUCCEEDED');
    expect(job.provider).toBe('local');
    for (const heading of [
      'Overview',
      'Strengths',
      'Weaknesses',
      'Objection handling',
      'Pricing',
      'Win themes',
    ])
      expect(job.output).toContain(`## ${heading}`);
    expect(job.output).toMatch(/template engine.*not by a language model/);
  });

  it('streams a snapshot first, then gap-free events, and completes after the terminal state', async () => {
    const { body } = await harness.gql<{ generate: { id: string } }>(alice, GENERATE, {
      input: { kind: 'DOCUMENT', prompt: 'A plan. '.repeat(200) },
    });
    const id = body.data!.generate.id;
    const results = await collect<{
      generationJobUpdated: {
        sequence: number;
        type: string;
        delta: string | null;
        job: { status: string; output: string | null };
      };
    }>(harness.ws(alice), WATCH, { id });
    const events = results.map((r) => {
      expect(r.errors).toBeUndefined();
      return r.data!.generationJobUpdated;
    });
    expect(events[0]!.type).toBe('SNAPSHOT');
    for (let i = 1; i < events.length; i++) expect(events[i]!.sequence).toBe(events[i - 1]!.sequence + 1);
    const last = events[events.length - 1]!;
    expect(last).toMatchObject({ type: 'STATUS', job: { status: 'SUCCEEDED' } });
    const streamed = (events[0]!.job.output ?? '') + events.map((e) => e.delta ?? '').join('');
    expect(streamed).toBe(last.job.output);
  });
});
