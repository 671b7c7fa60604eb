import type { GenerationKind } from '../../generation-job/generation-job.entity';
import type { TemplateInput } from '../../prompts';

/** One call to a provider: the messages for a model, plus what the local template engine needs. */
export interface ProviderRequest {
  kind: GenerationKind;
  model: string;
  system: string;
  user: string;
  maxTokens: number;
  input: TemplateInput;
}

/** Where a provider streams to. */
export interface StreamSink {
  /** A piece of output text, in order. */
  delta(text: string): void;
  /** The total length of the output in characters, when the provider knows it (progress). */
  expect?(totalChars: number): void;
}

export interface ProviderUsage {
  promptTokens: number;
  completionTokens: number;
  /** True when the provider reported no counts and they were estimated from the text (4 characters a token). */
  estimated: boolean;
}

/**
 * A model provider. `stream` resolves once the provider signalled a complete answer; a stream that ends
 * without that signal rejects (a broken stream is a failure, never a short success). It must stop when
 * `signal` aborts.
 */
export interface ProviderClient {
  stream(request: ProviderRequest, signal: AbortSignal, sink: StreamSink): Promise<ProviderUsage>;
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
