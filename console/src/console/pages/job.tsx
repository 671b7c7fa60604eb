import { useEffect, useState } from 'react';
import { errorMessage } from '../api/errors';
import { applyEvent, JOB_FIELDS, kindLabel, TERMINAL, type GenerationEvent, type Job } from '../api/jobs';
import { StatusBadge } from '../components/status';
import { useServices } from '../context';

interface JobState {
  job?: Job;
  output: string;
  sequence: number;
}

/**
 * One job, live: `generationJobUpdated` sends a snapshot, then status, progress and output deltas, and completes
 * after a terminal state. Cancel while it runs, retry once it failed or was cancelled, download the exports
 * once it succeeded.
 */
export function JobPage({ id }: { id: string }) {
  const { request, live } = useServices();
  const [state, setState] = useState<JobState>({ output: '', sequence: -1 });
  const [watching, setWatching] = useState(0);
  const [live_, setLive] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [exports, setExports] = useState<{ pdf: string | null; markdown: string | null } | undefined>();

  useEffect(() => {
    setLive(true);
    setError(undefined);
    return live.watch<{ generationJobUpdated: GenerationEvent }>(
      `subscription Job($id: ID!) { generationJobUpdated(id: $id) { sequence type delta job { ${JOB_FIELDS} } } }`,
      { id },
      {
        next: ({ generationJobUpdated: event }) => setState((current) => applyEvent(current, event)),
        error: (caught) => {
          setLive(false);
          setError(errorMessage(caught));
        },
        complete: () => setLive(false),
      },
    );
  }, [id, watching, live]);

  const status = state.job?.status;
  useEffect(() => {
    if (status !== 'SUCCEEDED') return setExports(undefined);
    let active = true;
    request<{ generationJob: { pdf: string | null; markdown: string | null } | null }>(
      'query Exports($id: ID!) { generationJob(id: $id) { pdf: exportUrl(format: PDF) markdown: exportUrl(format: MARKDOWN) } }',
      { id },
    ).then(
      ({ generationJob }) => active && setExports(generationJob ?? undefined),
      (caught: unknown) => active && setError(errorMessage(caught)),
    );
    return () => {
      active = false;
    };
  }, [id, status, request]);

  const act = async (mutation: 'cancelGeneration' | 'retryGeneration') => {
    setError(undefined);
    try {
      await request(`mutation Act($id: ID!) { ${mutation}(id: $id) { id status } }`, { id });
      // A finished job's subscription has completed; a retried job is live again, so watch it anew.
      if (mutation === 'retryGeneration') {
        setState({ output: '', sequence: -1 });
        setWatching((n) => n + 1);
      }
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const job = state.job;
  return (
    <section aria-labelledby="job-title" className="card">
      <h1 id="job-title">{job ? job.title : 'Job'}</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!job ? (
        <p>Connecting…</p>
      ) : (
        <>
          <dl className="facts">
            <dt>Kind</dt>
            <dd>{kindLabel(job.kind)}</dd>
            <dt>Status</dt>
            <dd>
              {/* The live region is inside the <dd>: a role on the <dd> itself would break the list's semantics. */}
              <span role="status" aria-live="polite" data-testid="job-status">
                <StatusBadge status={job.status} />
                {live_ && !TERMINAL.has(job.status) && <span className="hint"> live</span>}
              </span>
            </dd>
            <dt>Progress</dt>
            <dd>
              <progress max={1} value={job.progress} aria-label="Progress">
                {Math.round(job.progress * 100)}%
              </progress>{' '}
              {Math.round(job.progress * 100)}%
            </dd>
            {job.provider && (
              <>
                <dt>Model</dt>
                <dd>
                  {job.provider}
                  {job.model ? ` · ${job.model}` : ''}
                </dd>
              </>
            )}
            {job.error && (
              <>
                <dt>Error</dt>
                <dd className="error">
                  {job.error.message} ({job.error.code})
                </dd>
              </>
            )}
          </dl>
          <div className="actions">
            {!TERMINAL.has(job.status) && (
              <button type="button" onClick={() => void act('cancelGeneration')}>
                Cancel
              </button>
            )}
            {(job.status === 'FAILED' || job.status === 'CANCELLED') && (
              <button type="button" onClick={() => void act('retryGeneration')}>
                Retry
              </button>
            )}
            {exports?.pdf && (
              <a className="button" href={sameOrigin(exports.pdf)} download>
                Download PDF
              </a>
            )}
            {exports?.markdown && (
              <a className="button" href={sameOrigin(exports.markdown)} download>
                Download Markdown
              </a>
            )}
          </div>
          <h2>Output</h2>
          <pre className="output" data-testid="job-output" tabIndex={0} aria-label="Output">
            {state.output || (TERMINAL.has(job.status) ? '(no output)' : 'Waiting for the model…')}
          </pre>
        </>
      )}
    </section>
  );
}

/**
 * Export links are signed URLs on the gateway's public address; this page is served by that gateway, so the
 * same path and signature are used on the page's own origin (the CSP allows nothing else anyway).
 */
function sameOrigin(url: string): string {
  const parsed = new URL(url, window.location.href);
  return `${parsed.pathname}${parsed.search}`;
}
