import { MARKDOWN_RULES, sentences, type PromptTemplate } from './types';

const SECTIONS = ['Key points', 'Details', 'Open questions'] as const;

/** A summary of the text given as the prompt. */
export const summaryTemplate: PromptTemplate = {
  sections: SECTIONS,
  system: `You summarise the text you are given faithfully and briefly. Sections: ${SECTIONS.join(', ')}. ${MARKDOWN_RULES}`,
  user: (input) => `Title: ${input.title}\n\nText to summarise:\n${input.prompt}`,
  fill(section, input) {
    const all = sentences(input.prompt);
    switch (section) {
      case 'Key points':
        return (
          all
            .slice(0, 3)
            .map((s) => `- ${s}`)
            .join('\n') || `- ${input.prompt}`
        );
      case 'Details':
        return all.slice(3, 10).join(' ') || 'Nothing beyond the key points.';
      default: {
        const questions = all.filter((s) => s.endsWith('?'));
        return questions.length > 0
          ? questions.map((q) => `- ${q}`).join('\n')
          : '- None raised in the text.';
      }
    }
  },
};
