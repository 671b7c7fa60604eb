import type { IdentityContext } from '../context';
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
  return ctx.app.users.findVisible(ctx.principal, ctx.loaders.user, reference.id);
}
