import { parseMarkdown } from '../src/export/markdown';
import { readSse } from '../src/model-router/providers/sse';

describe('the export Markdown reader', () => {
  it('splits headings, lists, quotes and paragraphs and removes inline markup', () => {
    const blocks = parseMarkdown(
      '# Title\n\n> A note\n> more\n\n## Section\nSome **bold** and `code`\ncontinued.\n\n- one\n- [two](https://x.test)\n\n1. first\n2. second\n',
    );
    expect(blocks).toEqual([
      { type: 'heading', level: 1, text: 'Title' },
      { type: 'quote', text: 'A note more' },
      { type: 'heading', level: 2, text: 'Section' },
      { type: 'paragraph', text: 'Some bold and code continued.' },
      { type: 'list', ordered: false, items: ['one', 'two (https://x.test)'] },
      { type: 'list', ordered: true, items: ['first', 'second'] },
    ]);
  });
});

describe('the SSE reader', () => {
  it('reassembles events split across arbitrary chunk boundaries, CRLF included', async () => {
    const text = 'event: a\r\ndata: {"x":1}\r\n\r\n: comment\n\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readSse(body)) events.push(event);
    expect(events).toEqual([
      { event: 'a', data: '{"x":1}' },
      { event: undefined, data: 'line1\nline2' },
      { event: undefined, data: '[DONE]' },
    ]);
  });
});
