import type { Request } from 'express';
import { ANONYMOUS, type Principal } from '@atrium/platform/auth';

/**
 * Decides who is calling. Until access tokens and API keys are verified here (the gateway authentication
 * issue), every caller is anonymous: subgraphs then see an anonymous principal and their shield rules refuse
 * whatever needs a signed-in user. Whatever a client sends as an internal header is never trusted.
 */
export async function authenticate(_req: Request): Promise<Principal> {
  return ANONYMOUS;
}
