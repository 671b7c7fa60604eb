import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { postGraphQL } from '@atrium/platform/testing';
import { totpCode } from '@atrium/subgraph-identity/crypto/totp';
import {
  accessibilityViolations,
  browserSkipReason,
  launchChromium,
  openWatchedPage,
  saveScreenshot,
} from '../src/browser';
import { parsePdf } from '../src/pdf';
import { startStack, type Stack } from '../src/stack';

// A browser, a stack and a worker streaming output on two shared cores: generous, since nothing here is timed.
jest.setTimeout(180_000);

const skipReason = browserSkipReason();
const describeBrowser = skipReason ? describe.skip : describe;
const PASSWORD = 'a console password';

describeBrowser(`the console in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  beforeAll(async () => {
    // The local model streams a chunk every 100 ms, so the output visibly grows on the page.
    stack = await startStack({ env: { GENERATION_LOCAL_CHUNK_DELAY_MS: '100' } });
    origin = new URL(stack.gatewayUrl).origin;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs up, generates a battlecard, watches its output grow live to SUCCEEDED, and downloads a PDF', async () => {
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    const response = await page.goto(`${origin}/console`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    // Every control is reachable with the Tab key alone, in reading order.
    const focused: string[] = [];
    for (let step = 0; step < 6; step++) {
      await page.keyboard.press('Tab');
      focused.push(
        await page.evaluate<string>(`{
          const element = document.activeElement;
          (element.labels?.[0] ?? element).textContent.trim();
        }`),
      );
    }
    expect(focused).toEqual([
      'Sign in',
      'Create account',
      'Email',
      'Password',
      'Sign in',
      'GraphQL explorer',
    ]);

    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Display name').fill('Console User');
    await page.getByLabel('Email').fill(`console-${Date.now()}@example.test`);
    await page.getByLabel('Password').fill(PASSWORD);
    await saveScreenshot(page, 'console-sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'Generate' }).waitFor();
    await page.getByText('No jobs yet: generate one above.').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Kind').selectOption('BATTLECARD');
    await page.getByLabel('Competitor name').fill('Acme Corp');
    await page.getByLabel('Prompt').fill('Position us against Acme for mid-market buyers');
    await page.getByRole('button', { name: 'Generate battlecard' }).click();

    // Every length the output element shows, recorded by the page itself as React renders deltas.
    await page.waitForURL(/\/console\/jobs\/[^/]+$/);
    // (A string, since it runs in the page, where DOM types exist; this file is compiled for Node.)
    await page.evaluate(`{
      const seen = (window.outputLengths = []);
      new MutationObserver(() => {
        const output = document.querySelector('[data-testid="job-output"]');
        const status = document.querySelector('[data-testid="job-status"]')?.textContent ?? '';
        if (output && /RUNNING|SUCCEEDED/.test(status) && seen.at(-1) !== output.textContent.length)
          seen.push(output.textContent.length);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }`);
    await page.getByTestId('job-status').getByText('RUNNING').waitFor();
    await saveScreenshot(page, 'console-job-running');
    await page.getByTestId('job-status').getByText('SUCCEEDED').waitFor();
    const lengths = await page.evaluate<number[]>('window.outputLengths');
    const output = (await page.getByTestId('job-output').textContent())!;
    expect(output).toContain('Acme');
    // The text grew in steps (OUTPUT_DELTA), not in one piece at the end.
    expect(lengths.filter((length) => length > 0 && length < output.length).length).toBeGreaterThan(1);
    expect([...lengths].sort((a, b) => a - b)).toEqual(lengths);

    await page.getByRole('link', { name: 'Download PDF' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await saveScreenshot(page, 'console-job');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download PDF' }).click(),
    ]);
    const pdfBytes = await readFile((await download.path())!);
    const parsed = await parsePdf(pdfBytes);
    expect(parsed.numpages).toBeGreaterThan(0);
    expect(parsed.text).toContain('Acme');
    const [markdown] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download Markdown' }).click(),
    ]);
    expect(await readFile((await markdown.path())!, 'utf8')).toContain('Acme');

    await page.getByRole('link', { name: 'Generate & jobs' }).click();
    const row = page.locator('tr', { hasText: 'Acme' }).first();
    await row.getByText('SUCCEEDED').waitFor();
    expect(await page.getByRole('columnheader').allTextContents()).toEqual([
      'Title',
      'Kind',
      'Status',
      'Progress',
      'Created',
    ]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await saveScreenshot(page, 'console-jobs');

    expect(watched.foreignRequests(origin)).toEqual([]);
    expect(watched.requests.join('\n')).not.toMatch(/accessToken|refreshToken|eyJ/);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('signs in with a TOTP code when MFA is enrolled, and cancels a running job', async () => {
    const email = `console-mfa-${Date.now()}@example.test`;
    const gql = <T>(query: string, variables: Record<string, unknown>, token?: string) =>
      postGraphQL<T>(stack.gatewayUrl, query, {
        variables,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const signUp = await gql<{ signUp: { accessToken: string } }>(
      'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
      { i: { email, password: PASSWORD, displayName: 'MFA User' } },
    );
    const token = signUp.body.data!.signUp.accessToken;
    const start = await gql<{ startTotpEnrollment: { secret: string } }>(
      'mutation { startTotpEnrollment { secret } }',
      {},
      token,
    );
    const secret = start.body.data!.startTotpEnrollment.secret;
    await gql(
      'mutation($c: String!) { confirmTotpEnrollment(code: $c) }',
      { c: totpCode(secret, Date.now() - 30_000) },
      token,
    );

    const watched = await openWatchedPage(browser);
    const { page } = watched;
    await page.goto(`${origin}/console`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByLabel(/Code from your authenticator app/).fill(totpCode(secret, Date.now()));
    await page.getByRole('button', { name: 'Verify' }).click();

    await page.getByLabel('Kind').selectOption('DOCUMENT');
    await page.getByLabel('Prompt').fill('A long onboarding guide for new engineers');
    await page.getByRole('button', { name: 'Generate document' }).click();
    await page.getByTestId('job-status').getByText('RUNNING').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('job-status').getByText('CANCELLED').waitFor();
    await page.getByRole('button', { name: 'Retry' }).waitFor();

    expect(watched.foreignRequests(origin)).toEqual([]);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });
});
