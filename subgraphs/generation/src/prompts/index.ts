import { GenerationKind } from '../generation-job/generation-job.entity';
import { battlecardTemplate } from './battlecard';
import { documentTemplate } from './document';
import { presentationOutlineTemplate } from './presentation-outline';
import { summaryTemplate } from './summary';
import type { PromptTemplate, TemplateInput } from './types';

export type { PromptTemplate, TemplateInput } from './types';

const TEMPLATES: Record<GenerationKind, PromptTemplate> = {
  [GenerationKind.BATTLECARD]: battlecardTemplate,
  [GenerationKind.DOCUMENT]: documentTemplate,
  [GenerationKind.SUMMARY]: summaryTemplate,
  [GenerationKind.PRESENTATION_OUTLINE]: presentationOutlineTemplate,
};

export function templateFor(kind: GenerationKind): PromptTemplate {
  return TEMPLATES[kind];
}

/** The notice the local provider puts first in every output: it is a template engine, not a model. */
export const LOCAL_NOTICE =
  "> Written by Atrium's built-in template engine (the `local` provider), not by a language model: it fills a " +
  'fixed structure from your input. Configure an OpenAI-compatible or Anthropic provider for model-written content.';

/** The local template engine's complete Markdown for one job. */
export function renderLocal(kind: GenerationKind, input: TemplateInput): string {
  const template = templateFor(kind);
  const parts = [`# ${input.title}`, LOCAL_NOTICE];
  for (const section of template.sections) parts.push(`## ${section}`, template.fill(section, input));
  return `${parts.join('\n\n')}\n`;
}
