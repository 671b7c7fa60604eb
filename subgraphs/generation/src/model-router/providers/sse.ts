/** One server-sent event. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * The events of an SSE body (text/event-stream), in order. Ends when the body ends; the caller decides whether
 * that end was complete. Aborting the fetch's signal makes the pending read reject, which ends the loop.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      // A CR at the end may be the first half of a CRLF split across chunks: normalise it with the next one.
      const tail = buffer.endsWith('\r') ? '\r' : '';
      buffer = buffer.slice(0, buffer.length - tail.length).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseBlock(block);
        if (event) yield event;
      }
      buffer += tail;
    }
    const last = parseBlock((buffer + decoder.decode()).replace(/\r\n?/g, '\n'));
    if (last) yield last;
  } finally {
    // Releases the connection when the consumer stops early (error, abort, completion marker).
    await reader.cancel().catch(() => undefined);
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 || event ? { event, data: data.join('\n') } : undefined;
}

export function parseJson<T>(data: string): T | undefined {
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}
