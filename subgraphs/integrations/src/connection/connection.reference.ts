import type { IntegrationsContext } from '../context';
import { canSee } from './access';
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
  return connection && canSee(ctx.principal, connection) ? connection : null;
}
