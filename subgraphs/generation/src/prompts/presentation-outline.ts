import { MARKDOWN_RULES, sentences, type PromptTemplate } from './types';

const SECTIONS = ['Audience and goal', 'Slides', 'Closing'] as const;

/** A slide-by-slide outline for a presentation. */
export const presentationOutlineTemplate: PromptTemplate = {
  sections: SECTIONS,
  system:
    'You outline presentations slide by slide: a title per slide and three bullets at most. ' +
    `Sections: ${SECTIONS.join(', ')}. ${MARKDOWN_RULES}`,
  user: (input) => `Title: ${input.title}\n\nWhat the presentation is about:\n${input.prompt}`,
  fill(section, input) {
    const all = sentences(input.prompt);
    switch (section) {
      case 'Audience and goal':
        return all[0] ?? input.prompt;
      case 'Slides':
        return (all.length > 0 ? all : [input.prompt])
          .slice(0, 8)
          .map((s, i) => `${i + 1}. Slide ${i + 1}: ${s}`)
          .join('\n');
      default:
        return '- Summary of the key message\n- Call to action\n- Questions';
    }
  },
};
