import type { IntegrationsContext } from '../context';
import type { Connection } from './connection.entity';

/**
 * `_entities` for Connection applies the same object-level rule as a root field would: the owner or an ADMIN
 * sees it; anyone else gets null, exactly as for an id that does not exist.
 */
export async function resolveConnectionReference(
  reference: { id: string },
  ctx: IntegrationsContext,
): Promise<Connection | null> {
  const connection = await ctx.loaders.connection.load(reference.id);
  if (!connection) return null;
  const { principal } = ctx;
  const mayRead = principal.userId === connection.ownerId || principal.roles.includes('ADMIN');
  return mayRead ? connection : null;
}
