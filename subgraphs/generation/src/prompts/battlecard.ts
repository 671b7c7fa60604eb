import { about, MARKDOWN_RULES, type PromptTemplate, type TemplateInput } from './types';

const SECTIONS = [
  'Overview',
  'Strengths',
  'Weaknesses',
  'Objection handling',
  'Pricing',
  'Win themes',
] as const;

function competitor(input: TemplateInput): string {
  return input.battlecard?.competitorName ?? 'the competitor';
}

/** A sales battlecard against one competitor. */
export const battlecardTemplate: PromptTemplate = {
  sections: SECTIONS,
  system:
    'You write sales battlecards: concise, factual, usable during a live sales call. ' +
    `Sections: ${SECTIONS.join(', ')}. ${MARKDOWN_RULES}`,
  user(input) {
    const card = input.battlecard;
    const lines = [
      `Title: ${input.title}`,
      `Competitor: ${competitor(input)}`,
      card?.competitorWebsite && `Competitor website: ${card.competitorWebsite}`,
      card?.productSegment && `Product segment: ${card.productSegment}`,
      card?.focusAreas && `Focus areas: ${card.focusAreas.join('; ')}`,
      '',
      'Context from the seller:',
      input.prompt,
    ];
    return lines.filter((l): l is string => typeof l === 'string').join('\n');
  },
  fill(section, input) {
    const name = competitor(input);
    const card = input.battlecard;
    const focus = card?.focusAreas ?? [];
    switch (section) {
      case 'Overview':
        return [
          `${name}${card?.productSegment ? ` competes with us in ${card.productSegment}` : ' is a competitor'}.`,
          card?.competitorWebsite ? `Website: ${card.competitorWebsite}.` : '',
          about(input.prompt, ['market', 'customer', 'position', 'overview'], input.prompt.slice(0, 400)),
        ]
          .filter(Boolean)
          .join(' ');
      case 'Strengths':
        return bullets([
          about(
            input.prompt,
            ['strong', 'strength', 'good', 'better', 'lead'],
            `What ${name} does well: to be confirmed.`,
          ),
          ...focus.map((area) => `${area}: how ${name} presents it — to be confirmed.`),
        ]);
      case 'Weaknesses':
        return bullets([
          about(
            input.prompt,
            ['weak', 'lack', 'slow', 'poor', 'miss', 'expensive'],
            `Gaps of ${name}: to be confirmed.`,
          ),
          ...focus.map((area) => `${area}: where we are ahead — to be confirmed.`),
        ]);
      case 'Objection handling':
        return bullets([
          `"${name} is cheaper." — Compare total cost of ownership, not list price.`,
          `"We already use ${name}." — Ask which outcome they are missing today.`,
          ...focus.map(
            (area) =>
              `"${name} is better at ${area}." — Show our answer for ${area} with a customer example.`,
          ),
        ]);
      case 'Pricing':
        return about(
          input.prompt,
          ['price', 'pricing', 'cost', '$', '€', 'licen'],
          `${name} pricing: to be confirmed.`,
        );
      default:
        return bullets([
          about(
            input.prompt,
            ['win', 'value', 'because', 'differen'],
            'Lead with the outcome the customer wants.',
          ),
          ...focus.map((area) => `Win on ${area}.`),
        ]);
    }
  },
};

function bullets(items: string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}
