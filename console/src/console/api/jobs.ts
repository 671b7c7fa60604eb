export type GenerationStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type GenerationKind = 'BATTLECARD' | 'DOCUMENT' | 'SUMMARY' | 'PRESENTATION_OUTLINE';

export interface Job {
  id: string;
  kind: GenerationKind;
  title: string;
  status: GenerationStatus;
  progress: number;
  createdAt: string;
  output?: string | null;
  provider?: string | null;
  model?: string | null;
  attempts?: number;
  error?: { code: string; message: string; retryable: boolean } | null;
}

export interface GenerationEvent {
  sequence: number;
  type: 'SNAPSHOT' | 'STATUS' | 'PROGRESS' | 'OUTPUT_DELTA';
  delta?: string | null;
  job: Job;
}

export const KINDS: { value: GenerationKind; label: string }[] = [
  { value: 'BATTLECARD', label: 'Battlecard' },
  { value: 'DOCUMENT', label: 'Document' },
  { value: 'SUMMARY', label: 'Summary' },
  { value: 'PRESENTATION_OUTLINE', label: 'Presentation outline' },
];

export const TERMINAL: ReadonlySet<GenerationStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export const JOB_LIST_FIELDS = 'id kind title status progress createdAt';
export const JOB_FIELDS = `${JOB_LIST_FIELDS} output provider model attempts error { code message retryable }`;

export function kindLabel(kind: GenerationKind): string {
  return KINDS.find((k) => k.value === kind)?.label ?? kind;
}

/**
 * A job's state after one event. A SNAPSHOT replaces everything (it is sent first and after a resync);
 * OUTPUT_DELTA appends its text; events older than the last one applied are ignored.
 */
export function applyEvent(
  state: { job?: Job; output: string; sequence: number },
  event: GenerationEvent,
): { job: Job; output: string; sequence: number } {
  if (event.type !== 'SNAPSHOT' && state.job && event.sequence <= state.sequence) {
    return { job: state.job, output: state.output, sequence: state.sequence };
  }
  const output =
    event.type === 'SNAPSHOT' || event.job.status === 'SUCCEEDED'
      ? (event.job.output ?? (event.type === 'SNAPSHOT' ? '' : state.output))
      : event.type === 'OUTPUT_DELTA'
        ? state.output + (event.delta ?? '')
        : state.output;
  return { job: { ...state.job, ...event.job }, output, sequence: event.sequence };
}
