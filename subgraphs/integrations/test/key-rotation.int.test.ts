import { Leftovers, LogCapture } from '@atrium/platform/testing';
import { loadIntegrationsConfig } from '../src/config';
import { rotateKeys } from '../src/credentials/rotate-keys';
import { ask, describeModes, KEY_1, KEY_2, rawRows, startIntegrations, user } from './support/harness';

const keyFor = (i: number) => `sk-rotation-${String(i).padStart(4, '0')}-abcdefghijklmnopqrstuvwxyz`;
const COUNT = 12;
const CONNECT = 'mutation($k: String!) { connectWithApiKey(providerId: "openai", apiKey: $k) { id } }';

describeModes('encryption key rotation', (production) => {
  const leftovers = new Leftovers();
  afterAll(() => leftovers.dispose());

  it('re-encrypts every credential under the new key while reads continue; none is left under the old key', async () => {
    // 1. A deployment that knows only key 1 stores credentials.
    const old = await startIntegrations(leftovers, {
      production,
      env: { INTEGRATIONS_ENCRYPTION_KEYS: KEY_1, INTEGRATIONS_API_KEY_CHECK: 'false' },
    });
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const { body } = await ask(old.url, user(`user-${i}`), CONNECT, { k: keyFor(i) });
      ids.push(body.data.connectWithApiKey.id);
    }
    expect(new Set((await rawRows(old.server, 'connection_credentials')).map((r) => r.key_id))).toEqual(
      new Set(['k1']),
    );
    await old.server.stop();

    // 2. It is redeployed with the new key first (it encrypts) and the old one still listed (it decrypts).
    const rotating = await startIntegrations(leftovers, {
      production,
      shareWith: old,
      env: { INTEGRATIONS_ENCRYPTION_KEYS: `${KEY_2},${KEY_1}` },
    });
    // 3. The rotation command runs while the service keeps reading every credential.
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        for (let i = 0; i < COUNT; i++) {
          const stored = await rotating.server.app.credentials.read(ids[i]!);
          expect(stored?.secrets.apiKey).toBe(keyFor(i));
          reads++;
        }
        // A breath between rounds, as real traffic has: on the embedded SQLite file a reader that never pauses
        // holds the database's shared lock almost continuously and starves the rotation's writes (31 s alone,
        // over 120 s in the loaded parallel run).
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const commandLogs = new LogCapture();
    const byKey = await rotateKeys(loadIntegrationsConfig(rotating.env), commandLogs.log);
    reading = false;
    await reader;
    expect(byKey).toEqual({ k2: COUNT });
    expect(reads).toBeGreaterThanOrEqual(COUNT);
    const rows = await rawRows(rotating.server, 'connection_credentials');
    expect(rows.filter((row) => row.key_id !== 'k2' || !String(row.api_key).startsWith('k2.'))).toEqual([]);
    expect(commandLogs.text).not.toContain(keyFor(0));
    await rotating.server.stop();

    // 4. The old key can now be removed: a deployment with only key 2 reads everything.
    const after = await startIntegrations(leftovers, {
      production,
      shareWith: old,
      env: { INTEGRATIONS_ENCRYPTION_KEYS: KEY_2 },
    });
    for (let i = 0; i < COUNT; i++) {
      expect((await after.server.app.credentials.read(ids[i]!))?.secrets.apiKey).toBe(keyFor(i));
    }
    // A second run finds nothing left to do.
    expect(await rotateKeys(loadIntegrationsConfig(after.env), commandLogs.log)).toEqual({ k2: COUNT });
  }, 120_000);
});
