/** What travels on the queue between the API (producer) and workers: the job's id only — never its prompt, never a credential. */
export interface QueuedGeneration {
  jobId: string;
}

export const GENERATION_QUEUE = 'generation';
