import { errors } from '@atrium/platform/errors';
import { callerId, type IdentityRequest } from '../request';
import { User } from './user.entity';

/** The caller's own account; UNAUTHENTICATED when it is gone or disabled (its access token may still be live). */
export async function requireActiveUser(req: IdentityRequest): Promise<User> {
  const id = callerId(req.principal);
  const user = id ? await req.em.findOne(User, { id }) : null;
  if (!user || user.disabled) throw errors.UNAUTHENTICATED('This account is not active');
  return user;
}
