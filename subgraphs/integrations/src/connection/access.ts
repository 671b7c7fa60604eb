import type { Principal } from '@atrium/platform/auth';
import { errors } from '../errors';
import type { Connection } from './connection.entity';

/** The one object-level rule of every path to a connection: its owner or an ADMIN. */
export function canSee(principal: Principal, connection: Pick<Connection, 'ownerId'>): boolean {
  return principal.userId === connection.ownerId || principal.roles.includes('ADMIN');
}

/** Another user's connection and a missing one answer the same, so ids reveal nothing. */
export function connectionNotFound() {
  return errors.NOT_FOUND('Connection not found');
}
