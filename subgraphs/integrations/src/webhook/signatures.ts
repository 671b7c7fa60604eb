import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors';
import type { WebhookScheme } from '../provider/provider-definition';

/** Signed timestamps older or newer than this are refused (replays, badly skewed clocks). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const hmacHex = (secret: string, ...parts: Array<string | Buffer>) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
};

/** Constant-time comparison of a hex signature with the expected digest; malformed hex is simply unequal. */
function sameDigest(expected: Buffer, givenHex: string | undefined): boolean {
  if (!givenHex || !/^[0-9a-f]{64}$/i.test(givenHex)) return false;
  return timingSafeEqual(expected, Buffer.from(givenHex, 'hex'));
}

const invalid = () => errors.WEBHOOK_SIGNATURE_INVALID('The webhook signature is missing or does not match');

function checkTimestamp(raw: string | undefined, nowSeconds: number): string {
  if (!raw || !/^\d{1,12}$/.test(raw)) throw invalid();
  if (Math.abs(nowSeconds - Number(raw)) > TIMESTAMP_TOLERANCE_SECONDS)
    throw errors.WEBHOOK_TIMESTAMP_STALE('The webhook timestamp is outside the 5-minute window');
  return raw;
}

/**
 * Verifies one delivery on its raw bytes (never a re-serialised body) and returns its delivery id where the
 * scheme carries one in a header. Throws WEBHOOK_SIGNATURE_INVALID or WEBHOOK_TIMESTAMP_STALE.
 */
export function verifySignature(
  scheme: WebhookScheme,
  secret: string,
  body: Buffer,
  headers: Headers,
  now: Date,
): { deliveryId: string | undefined } {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  switch (scheme) {
    case 'github': {
      const given = /^sha256=(.*)$/.exec(header(headers, 'x-hub-signature-256') ?? '')?.[1];
      if (!sameDigest(hmacHex(secret, body), given)) throw invalid();
      return { deliveryId: header(headers, 'x-github-delivery') };
    }
    case 'slack': {
      const given = /^v0=(.*)$/.exec(header(headers, 'x-slack-signature') ?? '')?.[1];
      if (!given) throw invalid();
      const timestamp = checkTimestamp(header(headers, 'x-slack-request-timestamp'), nowSeconds);
      if (!sameDigest(hmacHex(secret, `v0:${timestamp}:`, body), given)) throw invalid();
      return { deliveryId: undefined };
    }
    case 'hmac-sha256': {
      const fields = Object.fromEntries(
        (header(headers, 'x-atrium-signature') ?? '').split(',').map((part) => {
          const at = part.indexOf('=');
          return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
        }),
      );
      if (!fields.v1) throw invalid();
      const timestamp = checkTimestamp(fields.t, nowSeconds);
      if (!sameDigest(hmacHex(secret, `${timestamp}.`, body), fields.v1)) throw invalid();
      return { deliveryId: header(headers, 'x-atrium-delivery') };
    }
  }
}

/** Signs a body the way the generic scheme expects (for senders, docs and tests). */
export function signGeneric(secret: string, body: string | Buffer, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, `${timestampSeconds}.`, body).toString('hex')}`;
}
