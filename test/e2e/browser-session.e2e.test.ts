import type { Browser } from 'playwright-core';
import { postGraphQL } from '@atrium/platform/testing';
import {
  browserSkipReason,
  connectionInitAuthorizations,
  launchChromium,
  openWatchedPage,
  recordGraphQL,
  type GraphQLExchange,
  type WatchedPage,
} from '../src/browser';
import { startStack, type Stack } from '../src/stack';

// A browser and a stack on two shared cores, and two access-token lifetimes to cross: generous, nothing is timed.
jest.setTimeout(180_000);

const skipReason = browserSkipReason();
const describeBrowser = skipReason ? describe.skip : describe;
const PASSWORD = 'a session password';
/**
 * Short enough that the tests cross an expiry in seconds (allowed outside production only), long enough that
 * the console's refreshed token (refreshed a fifth of its lifetime early, ~9.6 s of use) outlives each test's
 * steps after the refresh on a loaded machine.
 */
const ACCESS_TOKEN_TTL_SECONDS = 12;

describeBrowser(
  `the console's session across access-token expiry in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let stack: Stack;
    let browser: Browser;
    let origin: string;
    beforeAll(async () => {
      stack = await startStack({
        env: { IDENTITY_ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS) },
      });
      origin = new URL(stack.gatewayUrl).origin;
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
    });

    const gql = <T>(
      query: string,
      variables: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) => postGraphQL<T>(stack.gatewayUrl, query, { variables, headers });

    async function signUp(email: string): Promise<string> {
      const { body } = await gql<{ signUp: { accessToken: string } }>(
        'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
        { i: { email, password: PASSWORD, displayName: 'Session User' } },
      );
      return body.data!.signUp.accessToken;
    }

    async function signInThroughTheForm(watched: WatchedPage, email: string): Promise<void> {
      const { page } = watched;
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Your jobs' }).waitFor();
    }

    async function answer(exchange: GraphQLExchange | undefined) {
      expect(exchange).toBeDefined();
      const body = await exchange!.response;
      expect(body).toBeDefined();
      return body!;
    }

    it('keeps working across an access-token expiry: one refresh, the live list reconnects with the new token', async () => {
      const email = `session-expiry-${Date.now()}@example.test`;
      const token = await signUp(email);
      // A key of the same user, to start a job from outside the page while the page's token expires.
      const { body: created } = await gql<{ createApiKey: { secret: string } }>(
        'mutation { createApiKey(input: { name: "outside", scopes: ["generation:write"] }) { secret } }',
        {},
        { authorization: `Bearer ${token}` },
      );
      const apiKey = created.data!.createApiKey.secret;

      const watched = await openWatchedPage(browser);
      const { page } = watched;
      const exchanges = recordGraphQL(watched.context);
      await page.goto(`${origin}/console`);
      await signInThroughTheForm(watched, email);
      const signedIn = (await answer(exchanges.find((e) => e.operation === 'SignIn'))).data!.signIn;
      await until(() => connectionInitAuthorizations(watched).length === 1);
      expect(connectionInitAuthorizations(watched)).toEqual([`Bearer ${signedIn.accessToken}`]);

      // At the token's expiry the gateway ends the list's subscription and closes its socket; the console
      // exchanges the refresh token once and subscribes again on a new socket with the new access token.
      const firstSocket = watched.sockets[0]!;
      await until(() => firstSocket.isClosed());
      await until(() => connectionInitAuthorizations(watched).length === 2);
      const refreshes = () => exchanges.filter((e) => e.operation === 'Refresh');
      expect(refreshes()).toHaveLength(1);
      expect(refreshes()[0]!.variables).toEqual({ t: signedIn.refreshToken });
      const refreshed = (await answer(refreshes()[0])).data!.refreshSession;
      expect(refreshed.accessToken).not.toBe(signedIn.accessToken);
      expect(connectionInitAuthorizations(watched)).toEqual([
        `Bearer ${signedIn.accessToken}`,
        `Bearer ${refreshed.accessToken}`,
      ]);

      // The reopened subscription is live: a job started elsewhere appears in the list without a reload.
      const { body: outside } = await gql<{ generate: { id: string } }>(
        'mutation { generate(input: { kind: SUMMARY, title: "Started elsewhere", prompt: "Summarise our Q3" }) { id } }',
        {},
        { 'x-api-key': apiKey },
      );
      expect(outside.errors).toBeUndefined();
      await page.locator('tr', { hasText: 'Started elsewhere' }).waitFor();

      // A request after the expiry goes out with the refreshed token, without a second refresh, and works.
      await page.getByLabel('Competitor name').fill('Acme Corp');
      await page.getByLabel('Prompt').fill('Position us against Acme');
      await page.getByRole('button', { name: 'Generate battlecard' }).click();
      await page.getByTestId('job-status').getByText('SUCCEEDED').waitFor();
      const generate = exchanges.find((e) => e.operation === 'Generate');
      expect(generate?.authorization).toBe(`Bearer ${refreshed.accessToken}`);
      expect((await answer(generate)).errors).toBeUndefined();
      expect(
        exchanges.slice(0, exchanges.indexOf(generate!)).filter((e) => e.operation === 'Refresh'),
      ).toHaveLength(1);

      const codes = await Promise.all(
        exchanges.map(async (e) => (await e.response)?.errors?.[0]?.extensions?.code),
      );
      expect(codes.filter((code) => code !== undefined)).toEqual([]);
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(watched.errors).toEqual([]);
      await watched.context.close();
    });

    it('signs out cleanly with a clear message when another tab already exchanged the refresh token (CONFLICT)', async () => {
      const email = `session-conflict-${Date.now()}@example.test`;
      await signUp(email);
      const watched = await openWatchedPage(browser);
      const { page } = watched;
      const exchanges = recordGraphQL(watched.context);
      // Another tab of the same browser holding a copy of this session: it wins the race for the refresh token,
      // exchanging it just before this tab's own refresh reaches the gateway (both go to the real identity).
      const otherTab = await watched.context.newPage();
      await otherTab.goto(`${origin}/console`);
      let otherTabTokens: { accessToken: string; refreshToken: string } | undefined;
      await page.route('**/graphql', async (route) => {
        const body = route.request().postDataJSON() as { query?: string; variables?: { t?: string } } | null;
        if (!otherTabTokens && body?.query?.includes('refreshSession(')) {
          const answered = (await otherTab.evaluate(`fetch('/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query: 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }',
              variables: { t: ${JSON.stringify(body.variables?.t)} },
            }),
          }).then((response) => response.json())`)) as {
            data: { refreshSession: { accessToken: string; refreshToken: string } };
          };
          otherTabTokens = answered.data.refreshSession;
        }
        await route.continue();
      });

      await page.goto(`${origin}/console`);
      await signInThroughTheForm(watched, email);
      // The list's subscription ends at the token's expiry; the refresh that follows loses to the other tab.
      await page
        .getByRole('status')
        .getByText('Your session was refreshed in another place. Sign in again.')
        .waitFor({
          timeout: 60_000,
        });
      const refreshes = exchanges.filter((e) => e.operation === 'Refresh');
      expect(refreshes).toHaveLength(1);
      expect((await answer(refreshes[0])).errors?.[0]?.extensions?.code).toBe('CONFLICT');
      // A clean sign-in page: the form, no error, nothing thrown, no socket left retrying.
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      await until(() => watched.sockets.every((socket) => socket.isClosed()));

      // The console never presented the exchanged token again, so the other tab's session lives on.
      expect(otherTabTokens).toBeDefined();
      const me = await gql<{ me: { email: string } }>(
        '{ me { email } }',
        {},
        {
          authorization: `Bearer ${otherTabTokens!.accessToken}`,
        },
      );
      expect(me.body.data?.me.email).toBe(email);
      const again = await gql<{ refreshSession: { accessToken: string } }>(
        'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
        { t: otherTabTokens!.refreshToken },
      );
      expect(again.body.errors).toBeUndefined();

      // And this tab works again after signing in.
      await signInThroughTheForm(watched, email);
      expect(watched.errors).toEqual([]);
      await watched.context.close();
    });
  },
);

/** Waits for a condition the page reaches by itself (a socket opening); the test's timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}
