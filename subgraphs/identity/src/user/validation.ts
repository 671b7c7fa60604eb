import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../crypto/password';
import type { FieldProblem } from '../common/input-errors';

const EMAIL_MAX_LENGTH = 254;
// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is proven by mail, not a regex.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DISPLAY_NAME_MAX_LENGTH = 100;
// Control characters and bidi overrides make names that render differently from what they are.
const UNSAFE_NAME_CHARACTERS = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** One address, one account: trimmed, NFKC-normalised, lower case. */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

export function emailProblems(email: string, field = 'email'): FieldProblem[] {
  if (email.length === 0) return [{ field, message: 'is required' }];
  if (email.length > EMAIL_MAX_LENGTH)
    return [{ field, message: `must be at most ${EMAIL_MAX_LENGTH} characters` }];
  return EMAIL_PATTERN.test(email) ? [] : [{ field, message: 'is not an email address' }];
}

/** Length is counted in characters (code points), so a password of emoji is measured as a person sees it. */
export function passwordProblems(password: string, field = 'password'): FieldProblem[] {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    return [{ field, message: `must be at least ${PASSWORD_MIN_LENGTH} characters` }];
  if (length > PASSWORD_MAX_LENGTH)
    return [{ field, message: `must be at most ${PASSWORD_MAX_LENGTH} characters` }];
  return [];
}

export function normalizeDisplayName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

export function displayNameProblems(name: string, field = 'displayName'): FieldProblem[] {
  const length = [...name].length;
  if (length === 0) return [{ field, message: 'is required' }];
  if (length > DISPLAY_NAME_MAX_LENGTH)
    return [{ field, message: `must be at most ${DISPLAY_NAME_MAX_LENGTH} characters` }];
  return UNSAFE_NAME_CHARACTERS.test(name) ? [{ field, message: 'contains control characters' }] : [];
}

/** Over-long passwords are refused before hashing, so a 1 MB "password" costs nothing to reject. */
export function isPlausiblePassword(password: string): boolean {
  return password.length <= PASSWORD_MAX_LENGTH * 2 && [...password].length <= PASSWORD_MAX_LENGTH;
}
