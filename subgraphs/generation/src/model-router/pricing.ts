import { ConfigProblem } from '@atrium/platform/config';

/** USD per one million tokens. */
export interface ModelPrice {
  prompt: number;
  completion: number;
}

/**
 * List prices at the time of writing, overridable with GENERATION_PRICES. A model missing from the table is
 * priced at the fallback (never at zero), so spend on an unlisted model is over- rather than under-counted.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'template-v1': { prompt: 0, completion: 0 },
  'gpt-4o-mini': { prompt: 0.15, completion: 0.6 },
  'gpt-4o': { prompt: 2.5, completion: 10 },
  'gpt-4.1-mini': { prompt: 0.4, completion: 1.6 },
  'gpt-4.1': { prompt: 2, completion: 8 },
  'claude-3-5-haiku-latest': { prompt: 0.8, completion: 4 },
  'claude-3-5-sonnet-latest': { prompt: 3, completion: 15 },
  'claude-sonnet-4-0': { prompt: 3, completion: 15 },
});

export const PRICES_ALLOWED =
  'a JSON object {"model": {"prompt": usdPerMTok, "completion": usdPerMTok}} or model=prompt/completion,… (USD per million tokens)';

/** Parses GENERATION_PRICES (either form) into a table merged over the defaults. */
export function parsePrices(raw: string | undefined): Record<string, ModelPrice> {
  if (raw === undefined) return { ...DEFAULT_PRICES };
  const entries = raw.trimStart().startsWith('{') ? jsonEntries(raw) : compactEntries(raw);
  return { ...DEFAULT_PRICES, ...Object.fromEntries(entries) };
}

function jsonEntries(raw: string): Array<[string, ModelPrice]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigProblem(`is not valid JSON; expected ${PRICES_ALLOWED}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ConfigProblem(`expected ${PRICES_ALLOWED}`);
  return Object.entries(parsed).map(([model, price]) => {
    const { prompt, completion } = (price ?? {}) as Record<string, unknown>;
    if (!isPrice(prompt) || !isPrice(completion)) throw new ConfigProblem(`expected ${PRICES_ALLOWED}`);
    return [model, { prompt, completion }];
  });
}

function compactEntries(raw: string): Array<[string, ModelPrice]> {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const match = /^([^=\s]+)=(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(item);
      if (!match) throw new ConfigProblem(`expected ${PRICES_ALLOWED}`);
      return [match[1]!, { prompt: Number(match[2]), completion: Number(match[3]) }];
    });
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Prices token counts; cost is rounded to a millionth of a dollar so sums stay exact enough to compare. */
export class PriceTable {
  constructor(
    private readonly prices: Readonly<Record<string, ModelPrice>>,
    private readonly fallback: ModelPrice,
  ) {}

  priceOf(model: string): ModelPrice {
    return this.prices[model] ?? this.fallback;
  }

  isListed(model: string): boolean {
    return this.prices[model] !== undefined;
  }

  cost(model: string, promptTokens: number, completionTokens: number): number {
    const price = this.priceOf(model);
    const usd = (promptTokens * price.prompt + completionTokens * price.completion) / 1_000_000;
    return Math.round(usd * 1_000_000) / 1_000_000;
  }
}
