import type { ProviderConfig } from '../../config';
import { ProviderError } from './errors';
import { postJson, readingStream } from './http';
import { parseJson, readSse } from './sse';
import { estimateTokens, type ProviderClient, type ProviderUsage } from './types';

interface ChatChunk {
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { type?: string };
}

/**
 * Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, …) with SSE streaming. Complete means
 * `data: [DONE]` (or a finish_reason) arrived; a body that ends before is a broken stream.
 */
export function openAiProvider(config: ProviderConfig): ProviderClient {
  const headers: Record<string, string> = config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {};
  return {
    async stream(request, signal, sink): Promise<ProviderUsage> {
      const body = {
        model: request.model,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: request.maxTokens,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
      };
      const response = await postJson(config.id, `${config.baseUrl}/chat/completions`, headers, body, signal);
      let text = '';
      let finished = false;
      let usage: ChatChunk['usage'];
      await readingStream(config.id, signal, async () => {
        for await (const event of readSse(response.body!)) {
          if (event.data === '[DONE]') return void (finished = true);
          const chunk = parseJson<ChatChunk>(event.data);
          if (!chunk) throw ProviderError.protocol(config.id, 'a chunk is not JSON');
          if (chunk.error) throw ProviderError.streamError(config.id, chunk.error.type);
          if (chunk.usage) usage = chunk.usage;
          for (const choice of chunk.choices ?? []) {
            const piece = choice.delta?.content;
            if (piece) {
              text += piece;
              sink.delta(piece);
            }
            if (choice.finish_reason) finished = true;
          }
        }
      });
      if (!finished) throw ProviderError.brokenStream(config.id);
      const reported = usage?.prompt_tokens !== undefined && usage?.completion_tokens !== undefined;
      return {
        promptTokens: usage?.prompt_tokens ?? estimateTokens(request.system + request.user),
        completionTokens: usage?.completion_tokens ?? estimateTokens(text),
        estimated: !reported,
      };
    },
  };
}
