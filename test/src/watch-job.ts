// The subscription a job view opens (`generationJobUpdated(id)`), shared by the subscription suites so each one
// watches a job the same way and types its events once.

/** The job fields a watcher selects unless a suite needs others (the owner comes from identity, via the gateway). */
export const WATCHED_JOB_FIELDS = 'id status output owner { displayName }';

/** A job as `WATCHED_JOB_FIELDS` selects it. */
export interface WatchedJob {
  id: string;
  status: string;
  output: string | null;
  owner: { displayName: string } | null;
}

/** The `Watch` subscription document for the job `$id`, selecting `jobFields` on each event's job. */
export function watchJobDocument(jobFields: string = WATCHED_JOB_FIELDS): string {
  return `subscription Watch($id: ID!) {
  generationJobUpdated(id: $id) {
    sequence type delta outputReset
    job { ${jobFields} }
  }
}`;
}

/** Watches one job with the default job fields. */
export const WATCH = watchJobDocument();

/** One event of the `Watch` subscription; `Job` is the shape of the job fields it selected. */
export interface WatchEvent<Job = WatchedJob> {
  generationJobUpdated: {
    sequence: number;
    type: string;
    delta: string | null;
    outputReset: boolean;
    job: Job;
  };
}
