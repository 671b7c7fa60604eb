import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { SubgraphServer } from '@atrium/platform/server';
import { createIntegrationsServer, loadIntegrationsConfig } from '@atrium/subgraph-integrations';
import {
  accessibilityViolations,
  browserSkipReason,
  launchChromium,
  openWatchedPage,
  saveScreenshot,
} from '../src/browser';
import { startStack, TEST_ENCRYPTION_KEYS, TEST_INTERNAL_SECRET, type Stack } from '../src/stack';
import { silentLogger } from '@atrium/platform/testing';

// A browser, a stack and a restarted subgraph on two shared cores: generous, since nothing here is timed.
jest.setTimeout(180_000);

const skipReason = browserSkipReason();
const describeBrowser = skipReason ? describe.skip : describe;
const ADMIN = 'admin-console@example.test';

describeBrowser(`the admin system page in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  const leftovers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    stack = await startStack({
      env: {
        ATRIUM_ADMIN_EMAILS: ADMIN,
        // Probe often and alert on the first DOWN probe, so the page changes soon after the subgraph stops.
        MONITORING_POLL_INTERVAL_MS: '300',
        MONITORING_PROBE_TIMEOUT_MS: '1000',
        MONITORING_ALERT_SERVICE_DOWN_SECONDS: '0',
      },
    });
    origin = new URL(stack.gatewayUrl).origin;
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const cleanup of leftovers.reverse()) await cleanup();
    await browser?.close();
    await stack?.stop();
  });

  it('shows a stopped subgraph DOWN with a firing alert without a reload, and both resolve on restart', async () => {
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    await page.goto(`${origin}/console`);
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Display name').fill('Admin');
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password').fill('an administrator password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('link', { name: 'System' }).click();

    const tile = page.locator('li[data-service="integrations"]');
    await tile.locator('[data-status="UP"]').first().waitFor();
    await page.getByText('No alert is firing.').waitFor();
    await page.getByRole('img', { name: /Queue depth: latest/ }).waitFor();
    // The circuit-breaker and queue tables, each with its column headers for assistive technology.
    expect(await page.getByRole('table').count()).toBe(2);
    expect(await page.getByRole('columnheader').allTextContents()).toEqual([
      'Service',
      'Breaker',
      'State',
      'Failure rate',
      'Queue',
      'Waiting',
      'Active',
      'Delayed',
      'Failed',
      'Completed',
    ]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await saveScreenshot(page, 'console-system');

    const integrations = stack.subgraphs.integrations;
    const port = Number(new URL(integrations.url).port);
    await integrations.server.stop();
    await tile.locator('> [data-status="DOWN"]').waitFor();
    const alert = page.getByTestId('firing-alerts').locator('li', { hasText: 'integrations' });
    await alert.waitFor();
    // The page with a DOWN tile and a firing alert (its acknowledge button included) is as accessible.
    expect(await accessibilityViolations(page)).toEqual([]);
    await saveScreenshot(page, 'console-system-down');

    // The same service back on the same port (a fresh embedded database is enough for its health).
    const dataDir = await mkdtemp(join(tmpdir(), 'atrium-restart-'));
    leftovers.push(() => rm(dataDir, { recursive: true, force: true }));
    const restarted: SubgraphServer = await createIntegrationsServer({
      config: loadIntegrationsConfig({
        INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
        ...TEST_ENCRYPTION_KEYS,
        ATRIUM_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      }),
      log: silentLogger('e2e'),
    });
    leftovers.push(() => restarted.stop());
    await restarted.listen(port, '127.0.0.1');
    await tile.locator('> [data-status="UP"]').waitFor();
    await alert.waitFor({ state: 'detached' });
    await page.getByTestId('resolved-alerts').locator('li', { hasText: 'integrations' }).waitFor();

    expect(watched.foreignRequests(origin)).toEqual([]);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });
});
