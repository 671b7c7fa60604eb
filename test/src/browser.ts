import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type WebSocket } from 'playwright-core';

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
  /** Every WebSocket the page opened, in order (each has `isClosed()` and a `close` event). */
  sockets: WebSocket[];
  /** Requests whose origin is not `origin`: what would leave the machine. */
  foreignRequests(origin: string): string[];
}

export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  const socketFramesSent: string[] = [];
  const sockets: WebSocket[] = [];
  context.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('websocket', (socket) => {
    sockets.push(socket);
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
    sockets,
    foreignRequests: (origin) =>
      requests.filter((url) => {
        const parsed = new URL(url);
        if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
        return parsed.origin.replace(/^ws/, 'http') !== origin;
      }),
  };
}

/** One GraphQL request a page sent over HTTP, as the gateway received it, with the answer it got. */
export interface GraphQLExchange {
  /** The operation's name in its document (`mutation Refresh(…)` → `Refresh`), or `(anonymous)`. */
  operation: string;
  authorization: string | undefined;
  variables: Record<string, unknown> | undefined;
  response: Promise<GraphQLAnswer | undefined>;
}

export interface GraphQLAnswer {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Records every POST to /graphql the context's pages send, in the order they leave. */
export function recordGraphQL(context: BrowserContext): GraphQLExchange[] {
  const exchanges: GraphQLExchange[] = [];
  context.on('request', (request) => {
    if (request.method() !== 'POST' || new URL(request.url()).pathname !== '/graphql') return;
    const body = JSON.parse(request.postData() ?? '{}') as {
      query?: string;
      variables?: Record<string, unknown>;
    };
    exchanges.push({
      operation: /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? '(anonymous)',
      authorization: request.headers().authorization,
      variables: body.variables,
      // A page closed before the answer arrived leaves it undefined rather than an unhandled rejection.
      response: request
        .response()
        .then((response) => response?.json() as Promise<GraphQLAnswer> | undefined)
        .catch(() => undefined),
    });
  });
  return exchanges;
}

/** The `authorization` each graphql-ws `connection_init` carried, in the order the sockets opened. */
export function connectionInitAuthorizations(watched: WatchedPage): (string | undefined)[] {
  return watched.socketFramesSent
    .map((frame) => JSON.parse(frame) as { type?: string; payload?: { authorization?: string } })
    .filter((message) => message.type === 'connection_init')
    .map((message) => message.payload?.authorization);
}

/** An accessibility problem axe-core found, in a form a failing assertion can print. */
export interface AccessibilityViolation {
  rule: string;
  impact: string;
  help: string;
  /** CSS selectors of the offending elements. */
  targets: string[];
}

const AXE_SOURCE = require.resolve('axe-core/axe.min.js');

/**
 * Runs axe-core (WCAG 2.x A/AA and best practices) on the page as it is now and returns the violations of
 * serious or critical impact. axe is evaluated through the DevTools protocol rather than added as a `<script>`,
 * which the page's CSP (`script-src 'self'`) rightly refuses.
 */
export async function accessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
  const violations = await page.evaluate<AccessibilityViolation[]>(`axe
    .run(document, { resultTypes: ['violations'] })
    .then((results) => results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        rule: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(' ')),
      })))`);
  return violations;
}
