import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium package (installed by .ci/run); playwright-core drives it and downloads no browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why browser suites cannot run here, or undefined when they can. Without Chromium they are skipped with this
 * reason, except under REQUIRE_SERVICES=1 (CI), where a missing browser is a failure rather than a skip.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run does)`;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
  return reason;
}

/**
 * With UPDATE_SCREENSHOTS=1, saves the page as docs/images/<name>.png (the README shows them); otherwise does
 * nothing, so a test run leaves the tree clean.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await page.screenshot({ path: join(__dirname, '..', '..', 'docs', 'images', `${name}.png`) });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A page with everything a user's browser would show or send recorded, for assertions. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page and its workers requested (documents, scripts, styles, fonts, fetches, sockets). */
  requests: string[];
  /** Console errors, uncaught exceptions and CSP violations, as text. */
  errors: string[];
  /** Text frames the page sent over each WebSocket (graphql-ws messages), in order. */
  socketFramesSent: string[];
  /** Requests whose origin is not `origin`: what would leave the machine. */
  foreignRequests(origin: string): string[];
}

export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  const socketFramesSent: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('websocket', (socket) => {
    requests.push(socket.url());
    socket.on('framesent', (frame) => {
      if (typeof frame.payload === 'string') socketFramesSent.push(frame.payload);
    });
  });
  return {
    page,
    context,
    requests,
    errors,
    socketFramesSent,
    foreignRequests: (origin) =>
      requests.filter((url) => {
        const parsed = new URL(url);
        if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
        return parsed.origin.replace(/^ws/, 'http') !== origin;
      }),
  };
}
