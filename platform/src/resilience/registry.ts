import { createPolicy, type Policy, type PolicyOptions } from './policy';

/**
 * The process's policies, one per name, so every caller of a dependency shares one breaker (a breaker per call
 * site would each need its own failures before opening). Dispose it on shutdown.
 */
export class PolicyRegistry {
  private readonly policies = new Map<string, Policy>();

  /** The policy called `options.name`, created on first request; later options for that name are ignored. */
  get(options: PolicyOptions): Policy {
    let policy = this.policies.get(options.name);
    if (!policy) {
      policy = createPolicy(options);
      this.policies.set(options.name, policy);
    }
    return policy;
  }

  list(): Policy[] {
    return [...this.policies.values()];
  }

  /** Disposes every policy (aborting their running calls) and forgets them. */
  dispose(): void {
    for (const policy of this.policies.values()) policy.dispose();
    this.policies.clear();
  }
}
