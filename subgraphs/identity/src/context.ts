import type { RuntimeContextInput } from '@atrium/platform/server';
import { createUserLoader } from './user/user.loader';

export interface IdentityContext extends RuntimeContextInput {
  loaders: { user: ReturnType<typeof createUserLoader> };
}

export function buildContext(input: RuntimeContextInput): IdentityContext {
  return { ...input, loaders: { user: createUserLoader(input.em) } };
}
