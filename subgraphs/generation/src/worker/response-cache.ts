import { createHash } from 'node:crypto';
import type { Cache } from '@atrium/platform/cache';
import type { GenerationJob } from '../generation-job/generation-job.entity';

/** A complete answer kept for identical requests of the same user. */
export interface CachedAnswer {
  output: string;
  provider: string;
  model: string;
}

/**
 * The response cache: key from the user, kind, normalised prompt and title, the kind's inputs and the model
 * class (the provider chain the request would use), so a different preference or route never shares an answer.
 * Scoped per user: one user's answer is never served to another. A miss or an unreachable cache is just a miss.
 */
export class ResponseCache {
  constructor(
    private readonly cache: Cache,
    private readonly ttlSeconds: number,
  ) {}

  get enabled(): boolean {
    return this.ttlSeconds > 0;
  }

  keyFor(job: GenerationJob, modelClass: string): string {
    const normalise = (text: string) => text.normalize('NFC').trim().replace(/\s+/g, ' ');
    const material = JSON.stringify([
      job.kind,
      normalise(job.prompt),
      normalise(job.title),
      job.inputs,
      modelClass,
    ]);
    const digest = createHash('sha256').update(material).digest('hex');
    return `generation:answer:${job.ownerId}:${digest}`;
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    return this.enabled ? this.cache.get<CachedAnswer>(key) : undefined;
  }

  async set(key: string, answer: CachedAnswer): Promise<void> {
    if (this.enabled) await this.cache.set(key, answer, this.ttlSeconds * 1000);
  }
}
