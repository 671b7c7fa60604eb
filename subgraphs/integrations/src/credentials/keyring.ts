import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface EncryptionKey {
  /** Written into every ciphertext, so any configured key can be found to decrypt it. */
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Parses `id:base64,id2:base64` — the first key encrypts. Messages never contain key material. */
export function parseEncryptionKeys(raw: string): EncryptionKey[] {
  const keys = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item, index) => {
      const at = item.indexOf(':');
      const id = item.slice(0, at);
      if (at < 0 || !KEY_ID.test(id)) throw new Error(`key ${index + 1} needs an id (letters, digits, - _)`);
      const key = Buffer.from(item.slice(at + 1), 'base64');
      if (key.length !== 32) throw new Error(`key "${id}" must be base64 of exactly 32 bytes`);
      return { id, key };
    });
  if (keys.length === 0) throw new Error('at least one key is required');
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('key ids must be unique');
  return keys;
}

/**
 * AES-256-GCM with several keys: the first seals, any opens. A sealed value is `<key id>.<iv>.<ciphertext+tag>`
 * (base64url) and is bound to its context (the connection id and field) as additional authenticated data, so a
 * ciphertext copied to another connection or field fails to open.
 */
export class Keyring {
  private readonly byId: ReadonlyMap<string, Buffer>;
  readonly primaryId: string;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('a keyring needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.primaryId = keys[0]!.id;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.byId.get(this.primaryId)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${this.primaryId}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Throws (without revealing anything) when the key is unknown, the context differs or the value was altered. */
  open(sealed: string, context: string): string {
    const [id, ivText, bodyText] = sealed.split('.');
    const key = id ? this.byId.get(id) : undefined;
    if (!key || !ivText || !bodyText) throw new Error(`cannot decrypt: key "${id ?? ''}" is not configured`);
    const body = Buffer.from(bodyText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }

  static keyIdOf(sealed: string): string {
    return sealed.slice(0, sealed.indexOf('.'));
  }
}
