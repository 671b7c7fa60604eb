import { errors } from '@atrium/platform/errors';
import { GenerationKind } from './generation-job.entity';
import type { GenerateInput } from './generation-job.input';

export const PROMPT_MAX = 20_000;
export const TITLE_MAX = 200;

/** The battlecard fields after validation (trimmed; absent optionals omitted). */
export interface BattlecardFields {
  competitorName: string;
  competitorWebsite?: string;
  productSegment?: string;
  focusAreas?: string[];
}

/** A generate request that passed validation: what the service stores. */
export interface ValidGenerateInput {
  kind: GenerationKind;
  prompt: string;
  title: string;
  battlecard: BattlecardFields | null;
  idempotencyKey: string | null;
  provider: string | null;
}

// C0 and C1 control characters, DEL, and the bidirectional overrides that make text display differently from
// what it says. Tab, line feed and carriage return are ordinary in a prompt.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- as above, newlines included
const CONTROL_OR_NEWLINE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._~:-]{1,128}$/;

function bad(field: string, message: string): never {
  throw errors.BAD_USER_INPUT(message, { field });
}

/** Length in characters as a person counts them (code points, so an emoji is one). */
function lengthOf(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function line(
  field: string,
  value: string | null | undefined,
  max: number,
  required: boolean,
): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return required ? bad(field, `${field} must not be empty`) : undefined;
  if (lengthOf(trimmed) > max) bad(field, `${field} must be at most ${max} characters`);
  if (CONTROL_OR_NEWLINE.test(trimmed)) bad(field, `${field} must not contain control characters`);
  return trimmed;
}

function website(value: string | null | undefined): string | undefined {
  const text = line('battlecard.competitorWebsite', value, 2048, false);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad('battlecard.competitorWebsite', 'battlecard.competitorWebsite must be an http(s) URL');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password)
    bad(
      'battlecard.competitorWebsite',
      'battlecard.competitorWebsite must be an http(s) URL without credentials',
    );
  return url.toString();
}

function battlecard(input: GenerateInput): BattlecardFields | null {
  const card = input.battlecard;
  if (input.kind !== GenerationKind.BATTLECARD) {
    if (card) bad('battlecard', 'battlecard is only accepted with kind BATTLECARD');
    return null;
  }
  if (!card) return bad('battlecard', 'kind BATTLECARD needs battlecard.competitorName');
  const focus = card.focusAreas ?? undefined;
  if (focus && focus.length > 10)
    bad('battlecard.focusAreas', 'battlecard.focusAreas takes at most 10 items');
  const focusAreas = focus?.map((area, i) => line(`battlecard.focusAreas[${i}]`, area, 100, true)!);
  const fields: BattlecardFields = {
    competitorName: line('battlecard.competitorName', card.competitorName, 200, true)!,
  };
  const site = website(card.competitorWebsite);
  const segment = line('battlecard.productSegment', card.productSegment, 200, false);
  if (site) fields.competitorWebsite = site;
  if (segment) fields.productSegment = segment;
  if (focusAreas && focusAreas.length > 0) fields.focusAreas = focusAreas;
  return fields;
}

/**
 * Checks a generate request and normalises it, or throws BAD_USER_INPUT naming the field. `providerIds` are the
 * configured providers: a preference for another one is refused rather than silently ignored.
 */
export function validateGenerateInput(
  input: GenerateInput,
  providerIds: readonly string[],
): ValidGenerateInput {
  const prompt = input.prompt;
  if (typeof prompt !== 'string' || prompt.trim().length === 0) bad('prompt', 'prompt must not be empty');
  if (lengthOf(prompt) > PROMPT_MAX) bad('prompt', `prompt must be at most ${PROMPT_MAX} characters`);
  if (CONTROL.test(prompt)) bad('prompt', 'prompt must not contain control characters');
  const card = battlecard(input);
  const key = input.idempotencyKey ?? null;
  if (key !== null && !IDEMPOTENCY_KEY.test(key))
    bad('idempotencyKey', 'idempotencyKey must be 1..128 characters of A-Z a-z 0-9 . _ ~ : -');
  const provider = input.provider ?? null;
  if (provider !== null && !providerIds.includes(provider))
    bad('provider', 'provider is not a configured provider');
  const title = line('title', input.title, TITLE_MAX, false) ?? defaultTitle(input.kind, prompt, card);
  return { kind: input.kind, prompt, title, battlecard: card, idempotencyKey: key, provider };
}

const KIND_LABELS: Record<GenerationKind, string> = {
  BATTLECARD: 'Battlecard',
  DOCUMENT: 'Document',
  SUMMARY: 'Summary',
  PRESENTATION_OUTLINE: 'Presentation outline',
};

function defaultTitle(kind: GenerationKind, prompt: string, card: BattlecardFields | null): string {
  if (card) return `Battlecard: ${card.competitorName}`.slice(0, TITLE_MAX);
  const firstLine = prompt
    .trim()
    .split(/\s*\n\s*/)[0]!
    .replace(/\s+/g, ' ');
  const short = [...firstLine].slice(0, 80).join('');
  return `${KIND_LABELS[kind]}: ${short}${short.length < firstLine.length ? '…' : ''}`;
}

export function kindLabel(kind: GenerationKind): string {
  return KIND_LABELS[kind];
}
