import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/errors';
import {
  JOB_LIST_FIELDS,
  KINDS,
  kindLabel,
  type GenerationEvent,
  type GenerationKind,
  type Job,
} from '../api/jobs';
import { useServices } from '../context';
import { DataTable, type Column } from '../components/data-table';
import { StatusBadge } from '../components/status';

/** Start a generation, and every job of the user with its status kept live by `myGenerationEvents`. */
export function JobsPage() {
  return (
    <>
      <GenerateForm />
      <JobsList />
    </>
  );
}

function GenerateForm() {
  const { request, navigate } = useServices();
  const [kind, setKind] = useState<GenerationKind>('BATTLECARD');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      const input: Record<string, unknown> = { kind, prompt: text('prompt') };
      if (text('title')) input.title = text('title');
      if (kind === 'BATTLECARD') {
        input.battlecard = { competitorName: text('competitorName') };
        if (text('competitorWebsite'))
          (input.battlecard as Record<string, string>).competitorWebsite = text('competitorWebsite');
      }
      const { generate } = await request<{ generate: { id: string } }>(
        'mutation Generate($i: GenerateInput!) { generate(input: $i) { id status } }',
        { i: input },
      );
      navigate(`/console/jobs/${encodeURIComponent(generate.id)}`);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="generate-title" className="card">
      <h1 id="generate-title">Generate</h1>
      <form onSubmit={(event) => void submit(event)} className="grid">
        <label>
          Kind
          <select
            name="kind"
            value={kind}
            onChange={(event) => setKind(event.target.value as GenerationKind)}
          >
            {KINDS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Title (optional)
          <input name="title" maxLength={200} />
        </label>
        {kind === 'BATTLECARD' && (
          <>
            <label>
              Competitor name
              <input name="competitorName" required maxLength={200} />
            </label>
            <label>
              Competitor website (optional)
              <input name="competitorWebsite" type="url" />
            </label>
          </>
        )}
        <label className="wide">
          Prompt
          <textarea name="prompt" required maxLength={20000} rows={4} />
        </label>
        <button type="submit" disabled={busy}>
          Generate {kindLabel(kind).toLowerCase()}
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}

function JobsList() {
  const { request, live, navigate } = useServices();
  const [jobs, setJobs] = useState<Job[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let active = true;
    request<{ generationJobs: { edges: { node: Job }[] } }>(
      `query Jobs { generationJobs(first: 50) { edges { node { ${JOB_LIST_FIELDS} } } } }`,
    ).then(
      ({ generationJobs }) => active && setJobs(generationJobs.edges.map((edge) => edge.node)),
      (caught: unknown) => active && setError(errorMessage(caught)),
    );
    const stop = live.watch<{ myGenerationEvents: GenerationEvent }>(
      `subscription MyJobs { myGenerationEvents { sequence type job { ${JOB_LIST_FIELDS} } } }`,
      undefined,
      {
        next: ({ myGenerationEvents: { job } }) =>
          setJobs((current) => {
            const list = current ?? [];
            const index = list.findIndex((existing) => existing.id === job.id);
            if (index === -1) return [job, ...list];
            return list.map((existing) => (existing.id === job.id ? { ...existing, ...job } : existing));
          }),
        error: (caught) => setError(`Live status stopped: ${errorMessage(caught)}`),
      },
    );
    return () => {
      active = false;
      stop();
    };
  }, []);

  return (
    <section aria-labelledby="jobs-title" className="card">
      <h2 id="jobs-title">Your jobs</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!jobs ? (
        <p>Loading…</p>
      ) : (
        <DataTable
          columns={jobColumns(navigate)}
          rows={jobs}
          rowKey={(job) => job.id}
          rowData={(job) => ({ 'data-job-id': job.id })}
          empty={<p>No jobs yet: generate one above.</p>}
        />
      )}
    </section>
  );
}

function jobColumns(navigate: (path: string) => void): Column<Job>[] {
  return [
    {
      header: 'Title',
      cell: (job) => (
        <a
          href={`/console/jobs/${encodeURIComponent(job.id)}`}
          onClick={(event) => {
            event.preventDefault();
            navigate(`/console/jobs/${encodeURIComponent(job.id)}`);
          }}
        >
          {job.title}
        </a>
      ),
    },
    { header: 'Kind', cell: (job) => kindLabel(job.kind) },
    { header: 'Status', cell: (job) => <StatusBadge status={job.status} /> },
    { header: 'Progress', cell: (job) => `${Math.round(job.progress * 100)}%` },
    { header: 'Created', cell: (job) => new Date(job.createdAt).toLocaleString() },
  ];
}
