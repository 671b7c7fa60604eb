import type { IdentityContext } from '../context';
import type { User } from './user.entity';

/** `_entities` for User follows the rule of `user(id)`: the user themself or an ADMIN, null for anyone else. */
export async function resolveUserReference(
  reference: { id: string },
  ctx: IdentityContext,
): Promise<User | null> {
  const { principal } = ctx;
  if (principal.userId !== reference.id && !principal.roles.includes('ADMIN')) return null;
  return ctx.loaders.user.load(reference.id);
}
