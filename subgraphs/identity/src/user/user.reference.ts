import { errors } from '@atrium/platform/errors';
import { callerId, callerIsAdmin, type IdentityContext } from '../context';
import type { User } from './user.entity';

/**
 * `_entities` for User follows the rule of `user(id)`: the user themself or an ADMIN; anyone else gets
 * FORBIDDEN (and null), whether or not the id exists. Loads go through the request's DataLoader, so N
 * representations cost one query.
 */
export async function resolveUserReference(
  reference: { id: string },
  ctx: IdentityContext,
): Promise<User | null> {
  const self = callerId(ctx);
  if (!self) throw errors.UNAUTHENTICATED('You must be signed in');
  if (self !== reference.id && !callerIsAdmin(ctx))
    throw errors.FORBIDDEN('You may only read your own account');
  return ctx.loaders.user.load(reference.id);
}
