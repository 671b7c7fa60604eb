import type { DeliveredResult } from './rest-executor';

/**
 * `next` frames built without serializing an event once per subscriber. A shared stream hands the same result
 * object to every subscriber's queue, so its JSON is computed the first time it is needed and kept (weakly) with
 * it; each subscription keeps the start of its frames, with its id JSON-escaped once. The frame equals
 * graphql-ws' own `JSON.stringify({ id, type: 'next', payload })` (the same keys, in the same order).
 */
const serialized = new WeakMap<DeliveredResult, string>();

/** The JSON of `result`, computed once however many subscribers it goes to. */
export function resultJson(result: DeliveredResult): string {
  let json = serialized.get(result);
  if (json === undefined) {
    json = JSON.stringify(result);
    serialized.set(result, json);
  }
  return json;
}

/** What every `next` frame of the subscription `id` starts with. */
export function nextFramePrefix(id: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":`;
}

/** The `next` frame carrying `result`, for the subscription whose prefix is `prefix`. */
export function nextFrame(prefix: string, result: DeliveredResult): string {
  return prefix + resultJson(result) + '}';
}
