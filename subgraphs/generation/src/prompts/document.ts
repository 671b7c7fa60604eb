import { about, MARKDOWN_RULES, sentences, type PromptTemplate } from './types';

const SECTIONS = ['Introduction', 'Background', 'Details', 'Next steps'] as const;

/** A general business document from a brief. */
export const documentTemplate: PromptTemplate = {
  sections: SECTIONS,
  system: `You write clear business documents from a brief. Sections: ${SECTIONS.join(', ')}. ${MARKDOWN_RULES}`,
  user: (input) => `Title: ${input.title}\n\nBrief:\n${input.prompt}`,
  fill(section, input) {
    const all = sentences(input.prompt);
    const half = Math.ceil(all.length / 2);
    switch (section) {
      case 'Introduction':
        return all[0] ?? input.prompt;
      case 'Background':
        return about(
          input.prompt,
          ['because', 'today', 'currently', 'background', 'history'],
          all.slice(1, half).join(' ') || 'To be confirmed.',
        );
      case 'Details':
        return (
          all
            .slice(half)
            .map((s) => `- ${s}`)
            .join('\n') || '- To be confirmed.'
        );
      default:
        return '- Review this draft.\n- Confirm the open points marked "to be confirmed".';
    }
  },
};
