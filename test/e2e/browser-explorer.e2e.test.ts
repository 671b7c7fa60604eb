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

  it.each(['/', '/graphql', '/console', '/console/jobs/123'])(
    'serves %s to a browser with a strict CSP and no framing',
    async (path) => {
      const response = await fetch(`${origin}${path}`, { headers: { accept: 'text/html,*/*;q=0.8' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/https?:|\*|unsafe-eval/);
      expect(csp.match(/script-src [^;]*/)![0]).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
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
});
