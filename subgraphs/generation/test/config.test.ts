import { loadGenerationConfig } from '../src/config';

const base = { INTERNAL_TOKEN_SECRET: 'x'.repeat(40) };

describe('generation configuration', () => {
  it('defaults to the local template engine and runs the worker in-process without Redis', () => {
    const config = loadGenerationConfig(base);
    expect(config.generation.providers).toEqual([
      expect.objectContaining({ id: 'local', kind: 'local', models: ['template-v1'] }),
    ]);
    expect(config.generation.inlineWorker).toBe(true);
    expect(config.workerPort).toBe(4003);
    expect(
      loadGenerationConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' }).generation.inlineWorker,
    ).toBe(false);
  });

  it('reads the compact provider list, with keys from <ID>_API_KEY and a per-kind route', () => {
    const config = loadGenerationConfig({
      ...base,
      GENERATION_PROVIDERS:
        'openai:gpt-4o-mini|gpt-4o, ollama=openai:llama3.1@http://127.0.0.1:11434/v1, anthropic, local',
      OPENAI_API_KEY: 'sk-one',
      ANTHROPIC_API_KEY: 'ak-two',
      GENERATION_ROUTES: 'BATTLECARD=anthropic>openai;SUMMARY=local',
    });
    const [openai, ollama, anthropic, local] = config.generation.providers;
    expect(openai).toMatchObject({
      id: 'openai',
      kind: 'openai',
      models: ['gpt-4o-mini', 'gpt-4o'],
      apiKey: 'sk-one',
      baseUrl: 'https://api.openai.com/v1',
    });
    expect(ollama).toMatchObject({
      id: 'ollama',
      kind: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
    });
    expect(anthropic).toMatchObject({
      kind: 'anthropic',
      models: ['claude-3-5-haiku-latest'],
      apiKey: 'ak-two',
    });
    expect(local).toMatchObject({ kind: 'local' });
    expect(config.generation.routes).toEqual({ BATTLECARD: ['anthropic', 'openai'], SUMMARY: ['local'] });
  });

  it('lists every problem at once and never shows an API key', () => {
    let message = '';
    try {
      loadGenerationConfig({
        ...base,
        GENERATION_PROVIDERS: '[{"kind":"openai","apiKeyEnv":"MY_KEY","timeoutMs":-1}]',
        MY_KEY: 'sk-very-secret-value',
        GENERATION_ROUTES: 'BATTLECARD=nobody',
        GENERATION_PRICES: 'gpt=abc',
        GENERATION_JOBS_PER_MINUTE: '0',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('GENERATION_PROVIDERS');
    expect(message).toContain('GENERATION_PRICES');
    expect(message).toContain('GENERATION_JOBS_PER_MINUTE');
    expect(message).not.toContain('sk-very-secret-value');
  });

  it('merges configured prices over the defaults, in either form', () => {
    const compact = loadGenerationConfig({ ...base, GENERATION_PRICES: 'my-model=1.5/3' });
    expect(compact.generation.prices['my-model']).toEqual({ prompt: 1.5, completion: 3 });
    expect(compact.generation.prices['gpt-4o-mini']).toBeDefined();
    const json = loadGenerationConfig({ ...base, GENERATION_PRICES: '{"m":{"prompt":0,"completion":0.5}}' });
    expect(json.generation.prices.m).toEqual({ prompt: 0, completion: 0.5 });
  });
});
