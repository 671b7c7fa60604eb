import type { EntityManager } from '@mikro-orm/core';
import type { Clock } from '../clock';
import { Credential } from './credential.entity';
import type { Keyring } from './keyring';

/** A connection's secrets in plaintext: only ever in memory, for the duration of one use. */
export interface Secrets {
  accessToken?: string | null;
  refreshToken?: string | null;
  apiKey?: string | null;
}

export interface StoredSecrets {
  secrets: Secrets;
  /** The fencing token to name when writing back. */
  version: number;
}

const FIELDS = ['accessToken', 'refreshToken', 'apiKey'] as const;

/** Binds a ciphertext to its connection and field (AES-GCM additional data). */
const contextOf = (connectionId: string, field: string) => `atrium-integrations:${connectionId}:${field}`;

/**
 * Reads and writes sealed credentials. Writes are compare-and-set on `version`, so a writer that read an older
 * version (a refresh whose lock expired, a rotation racing a refresh) can never overwrite newer secrets.
 */
export class CredentialStore {
  constructor(private readonly deps: { em: () => EntityManager; keyring: Keyring; clock: Clock }) {}

  async read(connectionId: string): Promise<StoredSecrets | null> {
    const row = await this.deps.em().findOne(Credential, { connectionId });
    if (!row) return null;
    const secrets: Secrets = {};
    for (const field of FIELDS) {
      const sealed = row[field];
      secrets[field] =
        sealed === null ? null : this.deps.keyring.open(sealed, contextOf(connectionId, field));
    }
    return { secrets, version: row.version };
  }

  /** Stores the first secrets of a connection (version 1). */
  async create(connectionId: string, secrets: Secrets, em = this.deps.em()): Promise<void> {
    await em.insert(Credential, {
      connectionId,
      ...this.sealAll(connectionId, secrets),
      keyId: this.deps.keyring.primaryId,
      version: 1,
      updatedAt: this.deps.clock.now(),
    });
  }

  /**
   * Replaces the secrets if the stored version is still `expectedVersion`; returns the new version, or null
   * when someone else wrote first (the caller's secrets are then stale and dropped).
   */
  async replace(
    connectionId: string,
    secrets: Secrets,
    expectedVersion: number,
    em = this.deps.em(),
  ): Promise<number | null> {
    const next = expectedVersion + 1;
    const changed = await em.nativeUpdate(
      Credential,
      { connectionId, version: expectedVersion },
      {
        ...this.sealAll(connectionId, secrets),
        keyId: this.deps.keyring.primaryId,
        version: next,
        updatedAt: this.deps.clock.now(),
      },
    );
    return changed === 1 ? next : null;
  }

  /** Whether the stored version is still `version` (nobody wrote since it was read). */
  async isCurrent(connectionId: string, version: number, em = this.deps.em()): Promise<boolean> {
    return (await em.count(Credential, { connectionId, version })) === 1;
  }

  async delete(connectionId: string, em = this.deps.em()): Promise<void> {
    await em.nativeDelete(Credential, { connectionId });
  }

  /**
   * Re-seals every row not yet under the newest key, `batchSize` rows at a time, each row compare-and-set on its
   * version and key (a concurrent refresh wins and already wrote under the newest key). The version is kept:
   * the secrets did not change. Returns how many rows were re-sealed.
   */
  async rotate(options: { batchSize?: number } = {}): Promise<number> {
    const { keyring } = this.deps;
    let rotated = 0;
    for (;;) {
      const em = this.deps.em();
      const rows = await em.find(
        Credential,
        { keyId: { $ne: keyring.primaryId } },
        { limit: options.batchSize ?? 100, orderBy: { connectionId: 'asc' } },
      );
      if (rows.length === 0) return rotated;
      for (const row of rows) {
        const plain: Secrets = {};
        for (const field of FIELDS) {
          const sealed = row[field];
          plain[field] = sealed === null ? null : keyring.open(sealed, contextOf(row.connectionId, field));
        }
        rotated += await em.nativeUpdate(
          Credential,
          { connectionId: row.connectionId, version: row.version, keyId: row.keyId },
          { ...this.sealAll(row.connectionId, plain), keyId: keyring.primaryId },
        );
      }
    }
  }

  /** How many rows are under each key id (the rotation command reports it). */
  async countByKey(): Promise<Record<string, number>> {
    const rows = await this.deps.em().find(Credential, {}, { fields: ['connectionId', 'keyId'] });
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row.keyId] = (counts[row.keyId] ?? 0) + 1;
    return counts;
  }

  private sealAll(connectionId: string, secrets: Secrets): Record<(typeof FIELDS)[number], string | null> {
    const seal = (field: (typeof FIELDS)[number]) => {
      const value = secrets[field];
      return value ? this.deps.keyring.seal(value, contextOf(connectionId, field)) : null;
    };
    return { accessToken: seal('accessToken'), refreshToken: seal('refreshToken'), apiKey: seal('apiKey') };
  }
}
