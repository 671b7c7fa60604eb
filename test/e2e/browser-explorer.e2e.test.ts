import { postGraphQL } from '@atrium/platform/testing';
import type { Browser } from 'playwright-core';
import { browserSkipReason, launchChromium, openWatchedPage, saveScreenshot } from '../src/browser';
import { startStack, type Stack } from '../src/stack';

// A browser, a stack and Monaco's workers on two shared cores: generous, since nothing here is timed.
jest.setTimeout(120_000);

const skipReason = browserSkipReason();
const describeBrowser = skipReason ? describe.skip : describe;

describe('the browser face: headers and CSRF (no browser needed)', () => {
  let stack: Stack;
  let origin: string;
  beforeAll(async () => {
    stack = await startStack();
    origin = new URL(stack.gatewayUrl).origin;
  });
  afterAll(() => stack?.stop());

  const commonPolicy = [
    "default-src 'none'",
    "script-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ];
  const directives = (csp: string) => csp.split('; ').sort();

  async function browserGet(path: string) {
    const response = await fetch(`${origin}${path}`, { headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    return { csp: response.headers.get('content-security-policy')!, html, response };
  }

  it.each(['/console', '/console/jobs/123'])(
    'serves %s with a strict CSP: no inline script or style at all, no other origin, no framing',
    async (path) => {
      const { csp } = await browserGet(path);
      expect(directives(csp)).toEqual([...commonPolicy, "style-src 'self'"].sort());
    },
  );

  it.each(['/', '/graphql'])(
    'serves the explorer at %s with a fresh style nonce per response, and only style attributes inline',
    async (path) => {
      const first = await browserGet(path);
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(first.csp)?.[1];
      expect(nonce).toBeDefined();
      expect(directives(first.csp)).toEqual(
        [...commonPolicy, `style-src 'self' 'nonce-${nonce}'`, "style-src-attr 'unsafe-inline'"].sort(),
      );
      // The page hands the same nonce to its scripts, and never lets a cache replay it.
      expect(first.html).toContain(`<meta property="csp-nonce" nonce="${nonce}" />`);
      expect(first.response.headers.get('cache-control')).toBe('no-store');
      const second = await browserGet(path);
      expect(second.csp).not.toContain(nonce);
    },
  );

  it('keeps CSRF prevention on /graphql for everything that is not a browser navigation', async () => {
    const simpleGet = await fetch(`${origin}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toContain('CSRF');
    const textPlain = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(textPlain.status).toBe(400);
    const api = await postGraphQL<{ __typename: string }>(stack.gatewayUrl, '{ __typename }');
    expect(api.body.data).toEqual({ __typename: 'Query' });
  });

  it('serves assets with nosniff and their own content types, and nothing outside assets/', async () => {
    const script = await fetch(`${origin}/assets/explorer.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(script.headers.get('content-security-policy')).toContain("style-src 'self';");
    expect((await fetch(`${origin}/assets/.build-stamp`)).status).toBe(404);
    expect((await fetch(`${origin}/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });
});

describe('EXPLORER_ENABLED=false (the production default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { EXPLORER_ENABLED: 'false' } });
  });
  afterAll(() => stack?.stop());

  it('serves no page, and /graphql answers a browser as an API would', async () => {
    const origin = new URL(stack.gatewayUrl).origin;
    for (const path of ['/', '/console', '/assets/explorer.js'])
      expect((await fetch(`${origin}${path}`, { headers: { accept: 'text/html' } })).status).toBe(404);
    const graphql = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(graphql.headers.get('content-type')).not.toMatch(/text\/html/);
  });
});

describeBrowser(`the explorer in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  beforeAll(async () => {
    stack = await startStack();
    origin = new URL(stack.gatewayUrl).origin;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('loads GraphiQL from the gateway alone, and runs a query with the token set in the Headers tab', async () => {
    const email = `explorer-${Date.now()}@example.test`;
    const signUp = await postGraphQL<{ signUp: { accessToken: string } }>(
      stack.gatewayUrl,
      'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
      { variables: { i: { email, password: 'an explorer password', displayName: 'Explorer' } } },
    );
    const token = signUp.body.data!.signUp.accessToken;

    const watched = await openWatchedPage(browser);
    const { page } = watched;
    const response = await page.goto(`${origin}/graphql`);
    expect(response!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-query-editor .view-lines').getByText('integrationProviders').waitFor();
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('Control+Enter');
    await page.locator('.graphiql-response').getByText('"configured"').first().waitFor();
    await saveScreenshot(page, 'explorer');

    await page
      .getByRole('button', { name: /headers/i })
      .first()
      .click();
    const headers = page.locator('.graphiql-editor-tool .monaco-editor').last();
    await headers.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(`{"Authorization": "Bearer ${token}"`);

    const query = page.locator('.graphiql-query-editor .monaco-editor');
    await query.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('query Me { me { email } ');
    // Run it from the keyboard, as GraphiQL's button says (Ctrl-Enter); the suggestion widget covers the button.
    // GraphiQL takes the operation name a moment after the last keystroke; the tab shows it once it has.
    await page.keyboard.press('Escape');
    await page.locator('.graphiql-tab').getByText('Me', { exact: true }).waitFor();
    await page.keyboard.press('Control+Enter');
    await page.locator('.graphiql-response').getByText(email).waitFor();

    // A subscription over graphql-ws, authenticated by the same header in connection_init.
    await query.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('subscription Watch { myGenerationEvents { type job { title status } } ');
    await page.keyboard.press('Escape');
    await page.locator('.graphiql-tab').getByText('Watch', { exact: true }).waitFor();
    await page.keyboard.press('Control+Enter');
    await postGraphQL(
      stack.gatewayUrl,
      'mutation { generate(input: { kind: SUMMARY, prompt: "Explorer events", title: "Seen live" }) { id } }',
      { headers: { authorization: `Bearer ${token}` } },
    );
    await page.locator('.graphiql-response').getByText('Seen live').first().waitFor();
    const frames = watched.socketFramesSent.map(
      (frame) => JSON.parse(frame) as { type: string; payload?: unknown },
    );
    expect(frames[0]).toEqual({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    expect(frames.map((frame) => frame.type)).toContain('subscribe');

    expect(watched.foreignRequests(origin)).toEqual([]);
    expect(watched.requests.length).toBeGreaterThan(3);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it("applies the editor's run-time styles by nonce, and refuses a <style> injected as markup", async () => {
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    await page.goto(`${origin}/graphql`);
    await page.locator('.graphiql-query-editor .view-lines').getByText('integrationProviders').waitFor();
    // Monaco's own <style> elements are in the page and carry the nonce (the attribute is hidden; the property is not).
    const stamped = await page.evaluate<number>(
      `[...document.querySelectorAll('style')].filter((style) => style.nonce && style.sheet).length`,
    );
    expect(stamped).toBeGreaterThan(0);
    expect(watched.errors).toEqual([]);

    // What an HTML injection would bring: parsed markup, created by no script, so it has no nonce.
    await page.evaluate(
      `document.body.insertAdjacentHTML('beforeend', '<style id="injected">body { visibility: hidden }</style>')`,
    );
    await page.waitForFunction(`document.getElementById('injected') !== null`);
    expect(await page.evaluate<string>(`getComputedStyle(document.body).visibility`)).toBe('visible');
    // Chromium reports the refusal as a console error, as it would report any other violation.
    const refusal =
      /Applying inline style violates the following Content Security Policy directive 'style-src/;
    while (!watched.errors.some((error) => refusal.test(error))) await new Promise((r) => setTimeout(r, 50));
    expect(watched.errors).toHaveLength(1);
    await watched.context.close();
  });
});
