import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
  type KeyLike,
} from 'jose';

export const SIGNING_ALGORITHM = 'ES256';
/** The embedded mode's key file, under ATRIUM_DATA_DIR. Same format as IDENTITY_SIGNING_KEYS. */
export const KEY_FILE_NAME = 'identity-signing-keys.json';

export interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
}

/**
 * The access-token keys: the first signs, all of them verify (and are published in the JWKS). Rotation is
 * "put the new key first, keep the old one second until every token it signed has expired, then drop it".
 */
export interface KeyRing {
  signing: SigningKey;
  /** Every public key, signing key first: the body of `GET /.well-known/jwks.json`. */
  jwks: { keys: JWK[] };
}

/** Thrown for a key configuration that cannot be used; the message never contains key material. */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

const PEM_BLOCK = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/g;

/**
 * Checks the shape of IDENTITY_SIGNING_KEYS without importing it: a JSON JWK set (`{"keys":[…]}` or `[…]`)
 * of private EC P-256 keys, or one or more PKCS#8 PEM blocks. Returns a problem description, or undefined.
 */
export function signingKeysProblem(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (trimmed.startsWith('-----')) {
    return (trimmed.match(PEM_BLOCK) ?? []).length > 0 ? undefined : 'no PKCS#8 "PRIVATE KEY" PEM block';
  }
  let jwks: JWK[];
  try {
    jwks = jwkList(JSON.parse(trimmed));
  } catch {
    return 'neither PEM nor a JSON JWK set';
  }
  if (jwks.length === 0) return 'the JWK set is empty';
  const bad = jwks.findIndex((jwk) => jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string');
  return bad >= 0 ? `key ${bad} is not a private EC P-256 JWK` : undefined;
}

function jwkList(parsed: unknown): JWK[] {
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(list)) throw new SigningKeyError('not a JWK set');
  return list as JWK[];
}

/** Imports configured keys (see `signingKeysProblem` for the formats). */
export async function keyRingFromConfig(raw: string): Promise<KeyRing> {
  const problem = signingKeysProblem(raw);
  if (problem) throw new SigningKeyError(`IDENTITY_SIGNING_KEYS: ${problem}`);
  const trimmed = raw.trim();
  try {
    const keys = trimmed.startsWith('-----')
      ? await Promise.all((trimmed.match(PEM_BLOCK) ?? []).map(fromPem))
      : await Promise.all(jwkList(JSON.parse(trimmed)).map(fromJwk));
    return ring(keys);
  } catch (error) {
    if (error instanceof SigningKeyError) throw error;
    throw new SigningKeyError('IDENTITY_SIGNING_KEYS: a key could not be imported');
  }
}

/**
 * The embedded mode's keys: read from `<dataDir>/identity-signing-keys.json`, or generated once and written
 * there (mode 0600) so tokens survive restarts. Two processes starting together agree: the file is created
 * exclusively and the loser reads the winner's key.
 */
export async function embeddedKeyRing(dataDir: string): Promise<KeyRing> {
  const file = join(dataDir, KEY_FILE_NAME);
  await mkdir(dataDir, { recursive: true });
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined) return keyRingFromConfig(existing);
  const generated = JSON.stringify({ keys: [await generateSigningJwk()] }, null, 2);
  try {
    await writeFile(file, generated, { mode: 0o600, flag: 'wx' });
    return keyRingFromConfig(generated);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    return keyRingFromConfig(await readFile(file, 'utf8'));
  }
}

/** A new private P-256 JWK with its thumbprint as `kid` (what operators put in IDENTITY_SIGNING_KEYS). */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: SIGNING_ALGORITHM, use: 'sig' };
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
  const { d: _private, ...publicPart } = jwk;
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicPart));
  const privateKey = (await importJWK({ ...jwk, alg: SIGNING_ALGORITHM }, SIGNING_ALGORITHM)) as KeyLike;
  return { kid, privateKey, publicJwk: publicJwk(publicPart, kid) };
}

async function fromPem(pem: string): Promise<SigningKey> {
  const privateKey = await importPKCS8(pem, SIGNING_ALGORITHM, { extractable: true });
  const { d: _private, ...publicPart } = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicPart);
  return { kid, privateKey, publicJwk: publicJwk(publicPart, kid) };
}

function publicJwk(jwk: JWK, kid: string): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: SIGNING_ALGORITHM, use: 'sig' };
}

function ring(keys: SigningKey[]): KeyRing {
  const [signing] = keys;
  if (!signing) throw new SigningKeyError('IDENTITY_SIGNING_KEYS: no key');
  const kids = new Set(keys.map((key) => key.kid));
  if (kids.size !== keys.length) throw new SigningKeyError('IDENTITY_SIGNING_KEYS: two keys share a kid');
  return { signing, jwks: { keys: keys.map((key) => key.publicJwk) } };
}
