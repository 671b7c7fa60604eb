import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the fake does with one request: answer with a complete stream, break the stream half-way (the socket
 * is destroyed after some chunks), answer with an error status, or hang without a byte until the client gives up.
 */
export type Behaviour =
  | { kind: 'ok'; text?: string; usage?: { prompt: number; completion: number } }
  | {
      kind: 'break';
      text?: string;
      afterChunks?: number;
      /** Holds the first chunk until this settles (e.g. until the test's subscriber is connected). */
      startWhen?: Promise<unknown>;
      /** Holds the break until this settles (e.g. until the subscriber saw the partial output). */
      breakWhen?: Promise<unknown>;
    }
  | { kind: 'status'; status: number; type?: string }
  | { kind: 'hang' };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  at: number;
  /** When the client closed the connection before the fake finished (an abort), else undefined. */
  closedAt?: number;
}

export interface FakeProvider {
  protocol: 'openai' | 'anthropic';
  baseUrl: string;
  requests: RecordedRequest[];
  /** Behaviours for the next requests, in order; after them, `fallback`. */
  script(...behaviours: Behaviour[]): void;
  fallback: Behaviour;
  close(): Promise<void>;
}

export const DEFAULT_TEXT = '# Answer\n\n## Overview\n\nA real model wrote this, one chunk at a time.\n';

function chunks(text: string, size = 12): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function openAiEvents(text: string, usage: { prompt: number; completion: number } | undefined): string[] {
  const events = chunks(text).map((piece) =>
    JSON.stringify({ choices: [{ delta: { content: piece }, finish_reason: null }] }),
  );
  events.push(JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] }));
  if (usage)
    events.push(
      JSON.stringify({
        choices: [],
        usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion },
      }),
    );
  return [...events.map((e) => `data: ${e}\n\n`), 'data: [DONE]\n\n'];
}

function anthropicEvents(text: string, usage: { prompt: number; completion: number } | undefined): string[] {
  const event = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    event('message_start', { message: { usage: { input_tokens: usage?.prompt ?? 10, output_tokens: 1 } } }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
    ...chunks(text).map((piece) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }),
    ),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: usage?.completion ?? 20 },
    }),
    event('message_stop', {}),
  ];
}

/** A real HTTP server speaking the OpenAI chat-completions or Anthropic messages SSE protocol, on port 0. */
export async function startFakeProvider(protocol: 'openai' | 'anthropic'): Promise<FakeProvider> {
  const queue: Behaviour[] = [];
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const fake: FakeProvider = {
    protocol,
    baseUrl: '',
    requests,
    fallback: { kind: 'ok' },
    script: (...behaviours) => void queue.push(...behaviours),
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const record: RecordedRequest = {
      path: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(raw || '{}'),
      at: Date.now(),
    };
    requests.push(record);
    open.add(res);
    let finished = false;
    res.on('close', () => {
      open.delete(res);
      if (!finished) record.closedAt = Date.now();
    });
    const behaviour = queue.shift() ?? fake.fallback;
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'status') {
      finished = true;
      res.writeHead(behaviour.status, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({ error: { type: behaviour.type ?? 'fake_error', message: 'nope' } }),
      );
    }
    const text = behaviour.text ?? DEFAULT_TEXT;
    const usage = behaviour.kind === 'ok' ? behaviour.usage : undefined;
    const events = protocol === 'openai' ? openAiEvents(text, usage) : anthropicEvents(text, usage);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (behaviour.kind === 'break') await behaviour.startWhen;
    const limit = behaviour.kind === 'break' ? (behaviour.afterChunks ?? 3) : events.length;
    for (const event of events.slice(0, limit)) {
      res.write(event);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (behaviour.kind === 'break') {
      await behaviour.breakWhen;
      finished = true;
      return void res.socket?.destroy();
    }
    finished = true;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const path = protocol === 'openai' ? '/v1' : '/v1';
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return fake;
}
