import type { ProviderConfig } from '../../config';
import { ProviderError } from './errors';
import { postJson, readingStream } from './http';
import { parseJson, readSse } from './sse';
import { estimateTokens, type ProviderClient, type ProviderUsage } from './types';

const API_VERSION = '2023-06-01';

interface MessageEvent {
  type?: string;
  message?: { usage?: { input_tokens?: number; output_tokens?: number } };
  delta?: { type?: string; text?: string };
  usage?: { output_tokens?: number };
  error?: { type?: string };
}

/** Anthropic's Messages API with SSE streaming. Complete means `message_stop` arrived. */
export function anthropicProvider(config: ProviderConfig): ProviderClient {
  const headers: Record<string, string> = { 'anthropic-version': API_VERSION };
  if (config.apiKey) headers['x-api-key'] = config.apiKey;
  return {
    async stream(request, signal, sink): Promise<ProviderUsage> {
      const body = {
        model: request.model,
        stream: true,
        max_tokens: request.maxTokens,
        system: request.system,
        messages: [{ role: 'user', content: request.user }],
      };
      const response = await postJson(config.id, `${config.baseUrl}/messages`, headers, body, signal);
      let text = '';
      let stopped = false;
      let inputTokens: number | undefined;
      let outputTokens: number | undefined;
      await readingStream(config.id, signal, async () => {
        for await (const event of readSse(response.body!)) {
          const data = parseJson<MessageEvent>(event.data);
          if (!data) throw ProviderError.protocol(config.id, 'an event is not JSON');
          const type = data.type ?? event.event;
          if (type === 'error') throw ProviderError.streamError(config.id, data.error?.type);
          if (type === 'message_start') {
            inputTokens = data.message?.usage?.input_tokens;
            outputTokens = data.message?.usage?.output_tokens;
          } else if (type === 'content_block_delta' && data.delta?.type === 'text_delta' && data.delta.text) {
            text += data.delta.text;
            sink.delta(data.delta.text);
          } else if (type === 'message_delta' && data.usage?.output_tokens !== undefined) {
            outputTokens = data.usage.output_tokens;
          } else if (type === 'message_stop') {
            stopped = true;
            return;
          }
        }
      });
      if (!stopped) throw ProviderError.brokenStream(config.id);
      return {
        promptTokens: inputTokens ?? estimateTokens(request.system + request.user),
        completionTokens: outputTokens ?? estimateTokens(text),
        estimated: inputTokens === undefined || outputTokens === undefined,
      };
    },
  };
}
