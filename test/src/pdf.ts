import pdf from 'pdf-parse/lib/pdf-parse.js';

/**
 * Parses a PDF with pdf-parse (pdf.js 1.10), after checking its cross-reference table points at every object.
 * That pdf.js rejects the first one or two documents of a process with "bad XRef entry" and then accepts the
 * very same bytes (seen in and out of Jest), so a file counts as parsed when one of five attempts succeeds; the
 * deterministic check before it catches a file that is really broken.
 */
export async function parsePdf(bytes: Buffer): Promise<{ numpages: number; text: string }> {
  assertXrefConsistent(bytes);
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await pdf(Buffer.from(bytes));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

function assertXrefConsistent(bytes: Buffer): void {
  const text = bytes.toString('latin1');
  if (!text.startsWith('%PDF-')) throw new Error('not a PDF: no %PDF- header');
  const start = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text);
  if (!start) throw new Error('no startxref at the end of the PDF');
  const table = /^xref\s+(\d+) (\d+)\s+/.exec(text.slice(Number(start[1])));
  if (!table) throw new Error('startxref does not point at an xref table');
  const first = Number(table[1]);
  const entries = text.slice(Number(start[1]) + table[0].length).split(/\r?\n/);
  for (let index = 0; index < Number(table[2]); index++) {
    const [offset, , kind] = entries[index]!.trim().split(' ');
    const object = first + index;
    if (kind === 'n' && !text.startsWith(`${object} 0 obj`, Number(offset)))
      throw new Error(`xref entry of object ${object} points at offset ${offset}, where it is not`);
  }
}
