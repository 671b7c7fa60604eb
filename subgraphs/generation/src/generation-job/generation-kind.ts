/** The kinds of generation: the single list (config validation, prompts and the GraphQL enum use it). */
export enum GenerationKind {
  BATTLECARD = 'BATTLECARD',
  DOCUMENT = 'DOCUMENT',
  SUMMARY = 'SUMMARY',
  PRESENTATION_OUTLINE = 'PRESENTATION_OUTLINE',
}
