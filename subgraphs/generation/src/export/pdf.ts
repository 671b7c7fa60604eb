import PDFDocument from 'pdfkit';
import { parseMarkdown, type Block } from './markdown';

const HEADING_SIZES = [20, 16, 13, 12, 11, 11];
const BODY_SIZE = 11;

// The standard PDF fonts (no font files to ship) encode WinAnsi only; anything else would print as garbage.
const WIN_ANSI_EXTRAS = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out +=
      (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.includes(char)
        ? char
        : '?';
  }
  return out;
}

/** Renders Markdown (headings, lists, quotes, paragraphs) as a PDF with pdfkit, entirely in memory. */
export function renderPdf(markdown: string, meta: { title: string }): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: printable(meta.title), Creator: 'Atrium', Producer: 'Atrium (pdfkit)' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const block of parseMarkdown(markdown)) draw(doc, block);
  doc.end();
  return done;
}

function draw(doc: PDFKit.PDFDocument, block: Block): void {
  const x = doc.page.margins.left;
  if (block.type === 'heading') {
    doc.moveDown(block.level <= 2 ? 0.8 : 0.5);
    doc
      .font('Helvetica-Bold')
      .fontSize(HEADING_SIZES[block.level - 1] ?? BODY_SIZE)
      .text(printable(block.text), x);
    doc.moveDown(0.3);
  } else if (block.type === 'list') {
    doc.font('Helvetica').fontSize(BODY_SIZE);
    block.items.forEach((item, i) => {
      const marker = block.ordered ? `${i + 1}.` : '•';
      doc.text(`${marker}  ${printable(item)}`, x + 12, undefined, { indent: 0 });
    });
    doc.moveDown(0.5);
  } else if (block.type === 'quote') {
    doc
      .font('Helvetica-Oblique')
      .fontSize(BODY_SIZE)
      .fillColor('#444444')
      .text(printable(block.text), x + 12);
    doc.fillColor('black').moveDown(0.5);
  } else {
    doc.font('Helvetica').fontSize(BODY_SIZE).text(printable(block.text), x, undefined, { align: 'left' });
    doc.moveDown(0.5);
  }
}
