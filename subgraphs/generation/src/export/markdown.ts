/** The Markdown blocks an export renders: what Atrium's outputs are made of. */
export type Block =
  | { type: 'heading'; level: number; text: string }
  | { type: 'list'; ordered: boolean; items: string[] }
  | { type: 'quote'; text: string }
  | { type: 'paragraph'; text: string };

/** Removes inline Markdown (emphasis, code, links keep their text and URL) for plain-text rendering. */
export function plainInline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1 ($2)')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(\*|_)(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/`([^`]+)`/g, '$1');
}

/** Splits Markdown into blocks: ATX headings, bullet and numbered lists, quotes, paragraphs. */
export function parseMarkdown(markdown: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const close = () => {
    if (paragraph.length > 0) blocks.push({ type: 'paragraph', text: plainInline(paragraph.join(' ')) });
    if (list) blocks.push({ type: 'list', ...list });
    paragraph = [];
    list = null;
  };
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\d+[.)]\s+(.*)$/.exec(line);
    if (line === '') close();
    else if (heading) {
      close();
      blocks.push({
        type: 'heading',
        level: heading[1]!.length,
        text: plainInline(heading[2]!.replace(/\s#+$/, '')),
      });
    } else if (bullet || numbered) {
      const ordered = Boolean(numbered);
      if (paragraph.length > 0 || (list && list.ordered !== ordered)) close();
      list ??= { ordered, items: [] };
      list.items.push(plainInline((bullet ?? numbered)![1]!));
    } else if (line.startsWith('>')) {
      close();
      blocks.push({ type: 'quote', text: plainInline(line.replace(/^>\s?/, '')) });
    } else if (list && /^\s{2,}/.test(raw)) {
      list.items[list.items.length - 1] += ` ${plainInline(line)}`;
    } else {
      if (list) close();
      paragraph.push(line);
    }
  }
  close();
  return mergeQuotes(blocks);
}

function mergeQuotes(blocks: Block[]): Block[] {
  const merged: Block[] = [];
  for (const block of blocks) {
    const last = merged[merged.length - 1];
    if (block.type === 'quote' && last?.type === 'quote') last.text += ` ${block.text}`;
    else merged.push(block);
  }
  return merged;
}
