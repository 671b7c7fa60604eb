import { renderLocal } from '../../prompts';
import { estimateTokens, type ProviderClient, type ProviderUsage } from './types';

/** Characters per streamed chunk: small enough to look like typing, large enough to stay cheap. */
const CHUNK_CHARS = 48;

/**
 * The built-in offline generator, the embedded default. It is a template engine, not a model: it fills the
 * kind's Markdown structure from the input (and says so in its first lines), then streams it in chunks
 * `chunkDelayMs` apart. Token counts are estimates (4 characters a token); its price is zero.
 */
export function localProvider(options: { chunkDelayMs: number }): ProviderClient {
  return {
    async stream(request, signal, sink): Promise<ProviderUsage> {
      const output = renderLocal(request.kind, request.input);
      sink.expect?.(output.length);
      for (let at = 0; at < output.length;) {
        if (signal.aborted) throw signal.reason;
        let end = Math.min(output.length, at + CHUNK_CHARS);
        // Never split a surrogate pair: a chunk is always valid text on its own.
        if (end < output.length && /[\uD800-\uDBFF]/.test(output[end - 1]!)) end += 1;
        sink.delta(output.slice(at, end));
        at = end;
        if (options.chunkDelayMs > 0) await pause(options.chunkDelayMs, signal);
      }
      return {
        promptTokens: estimateTokens(request.system + request.user),
        completionTokens: estimateTokens(output),
        estimated: true,
      };
    },
  };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
