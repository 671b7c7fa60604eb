import type { BattlecardFields } from '../generation-job/validation';

/** What a template sees of a job. */
export interface TemplateInput {
  title: string;
  prompt: string;
  battlecard: BattlecardFields | null;
}

/** How one kind of content is asked for: the model prompts and the local template engine's structure. */
export interface PromptTemplate {
  /** The Markdown headings (level 2) the output is made of, in order. */
  sections: readonly string[];
  /** System message for a model. */
  system: string;
  /** User message for a model. */
  user(input: TemplateInput): string;
  /** What the local template engine writes under each section heading. */
  fill(section: string, input: TemplateInput): string;
}

/** The sentences of a prompt, for templates that spread them over sections. */
export function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Picks the sentences of `text` whose words match any of `keywords`, or `fallback` when none does. */
export function about(text: string, keywords: readonly string[], fallback: string): string {
  const matches = sentences(text).filter((s) => keywords.some((k) => s.toLowerCase().includes(k)));
  return matches.length > 0 ? matches.join(' ') : fallback;
}

export const MARKDOWN_RULES =
  'Answer in Markdown only: one level-1 heading with the title, then level-2 headings for the sections ' +
  'listed, in that order, with short paragraphs and bullet lists. Do not invent figures you were not given; ' +
  'write "to be confirmed" instead.';
