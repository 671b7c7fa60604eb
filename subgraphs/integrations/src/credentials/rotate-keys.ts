import type { Logger } from '@atrium/platform/logging';
import { openDatabase } from '@atrium/platform/database';
import { systemClock } from '../clock';
import type { IntegrationsConfig } from '../config';
import { entities, migrations } from '../database';
import { CredentialStore } from './credential-store';
import { Keyring } from './keyring';

/**
 * `rotate-keys`: re-seals every credential under the first key of INTEGRATIONS_ENCRYPTION_KEYS while the service
 * keeps running (deploy with `new,old` first, so every replica reads both; remove `old` after this reports zero
 * rows left under it). Safe to run twice or concurrently with refreshes: each row is compare-and-set.
 */
export async function rotateKeys(config: IntegrationsConfig, log: Logger): Promise<Record<string, number>> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    dbName: 'integrations',
    entities,
    migrations,
    log,
  });
  try {
    const keyring = new Keyring(config.integrations.encryptionKeys);
    const store = new CredentialStore({ em: () => db.fork(), keyring, clock: systemClock });
    const rotated = await store.rotate();
    const byKey = await store.countByKey();
    log.info({ rotated, primaryKey: keyring.primaryId, rowsByKey: byKey }, 'credential keys rotated');
    return byKey;
  } finally {
    await db.close();
  }
}
