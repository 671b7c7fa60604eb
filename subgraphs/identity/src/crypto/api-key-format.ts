import { crc32 } from 'node:zlib';
import { randomBase62, toBase62 } from './secrets';

/**
 * API key secrets look like `atr_` + 32 random base62 characters + a 6-character base62 CRC32 of everything
 * before it, e.g. `atr_6Qb0…Zk41x9Pq0A`. The fixed prefix lets secret scanners (and people) recognise a leaked
 * Atrium key; the checksum lets anyone tell a real-looking key from a typo or a random string offline, and lets
 * the gateway reject malformed keys without asking identity. 32 base62 characters carry ~190 bits of entropy.
 */
export const API_KEY_PREFIX = 'atr_';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const PATTERN = /^atr_[0-9A-Za-z]{38}$/;
/** How many leading characters are kept in clear (shown in lists so a user can tell their keys apart). */
export const DISPLAY_PREFIX_LENGTH = 12;

function checksum(body: string): string {
  return toBase62(crc32(body), CHECKSUM_LENGTH);
}

/** A fresh API key secret. */
export function generateApiKeySecret(): string {
  const body = `${API_KEY_PREFIX}${randomBase62(RANDOM_LENGTH)}`;
  return `${body}${checksum(body)}`;
}

/** True when `value` has the shape of an Atrium API key and its checksum matches. Says nothing of validity. */
export function isWellFormedApiKey(value: string): boolean {
  if (!PATTERN.test(value)) return false;
  const body = value.slice(0, -CHECKSUM_LENGTH);
  return checksum(body) === value.slice(-CHECKSUM_LENGTH);
}

/** The part of a key that is stored and shown in clear. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, DISPLAY_PREFIX_LENGTH);
}
