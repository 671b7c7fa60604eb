import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/errors';
import { AUTH_FIELDS, type AuthPayload } from '../api/session';
import { useServices } from '../context';

type Mode = 'sign-in' | 'sign-up';
type SignInResult =
  ({ __typename: 'AuthPayload' } & AuthPayload) | { __typename: 'MfaChallenge'; challengeToken: string };

/** Sign in (with a TOTP or recovery code when MFA is enrolled) or create an account. */
export function SignInPage() {
  const { session, request } = useServices();
  const [mode, setMode] = useState<Mode>('sign-in');
  const [challenge, setChallenge] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const run = async (event: FormEvent<HTMLFormElement>, action: (form: FormData) => Promise<void>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action(new FormData(event.currentTarget));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  const text = (form: FormData, name: string) => String(form.get(name) ?? '');

  const signIn = (form: FormData) =>
    request<{ signIn: SignInResult }>(
      `mutation SignIn($i: SignInInput!) { signIn(input: $i) { __typename
        ... on AuthPayload { ${AUTH_FIELDS} } ... on MfaChallenge { challengeToken } } }`,
      { i: { email: text(form, 'email'), password: text(form, 'password') } },
    ).then(({ signIn: result }) =>
      result.__typename === 'MfaChallenge' ? setChallenge(result.challengeToken) : session.start(result),
    );
  const signUp = (form: FormData) =>
    request<{ signUp: AuthPayload }>(
      `mutation SignUp($i: SignUpInput!) { signUp(input: $i) { ${AUTH_FIELDS} } }`,
      {
        i: {
          email: text(form, 'email'),
          password: text(form, 'password'),
          displayName: text(form, 'displayName'),
        },
      },
    ).then(({ signUp: payload }) => session.start(payload));
  const completeMfa = (form: FormData) =>
    request<{ completeMfaSignIn: AuthPayload }>(
      `mutation Mfa($t: String!, $c: String!) { completeMfaSignIn(challengeToken: $t, code: $c) { ${AUTH_FIELDS} } }`,
      { t: challenge, c: text(form, 'code').trim() },
    ).then(({ completeMfaSignIn: payload }) => session.start(payload));

  return (
    <main className="narrow">
      <h1>Atrium console</h1>
      {session.notice && <p role="status">{session.notice}</p>}
      {challenge ? (
        <form onSubmit={(event) => void run(event, completeMfa)} aria-labelledby="mfa-title">
          <h2 id="mfa-title">Two-factor code</h2>
          <label>
            Code from your authenticator app, or a recovery code
            <input name="code" autoComplete="one-time-code" inputMode="text" required autoFocus />
          </label>
          <button type="submit" disabled={busy}>
            Verify
          </button>
        </form>
      ) : (
        <>
          <div role="tablist" aria-label="Account" className="tabs">
            {(['sign-in', 'sign-up'] as const).map((tab) => (
              <button
                key={tab}
                type="button"
                role="tab"
                aria-selected={mode === tab}
                onClick={() => {
                  setMode(tab);
                  setError(undefined);
                }}
              >
                {tab === 'sign-in' ? 'Sign in' : 'Create account'}
              </button>
            ))}
          </div>
          <form
            key={mode}
            onSubmit={(event) => void run(event, mode === 'sign-in' ? signIn : signUp)}
            aria-label={mode === 'sign-in' ? 'Sign in' : 'Create account'}
          >
            {mode === 'sign-up' && (
              <label>
                Display name
                <input name="displayName" autoComplete="name" required />
              </label>
            )}
            <label>
              Email
              <input name="email" type="email" autoComplete="email" required />
            </label>
            <label>
              Password
              <input
                name="password"
                type="password"
                autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
                minLength={mode === 'sign-up' ? 12 : undefined}
                required
              />
            </label>
            <button type="submit" disabled={busy}>
              {mode === 'sign-in' ? 'Sign in' : 'Create account'}
            </button>
          </form>
        </>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p className="hint">
        Tokens stay in this page&apos;s memory only: reloading the page signs you out. Developers: the{' '}
        <a href="/graphql">GraphQL explorer</a>.
      </p>
    </main>
  );
}
