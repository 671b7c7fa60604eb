import { useMemo } from 'react';
import type { Request } from './api/graphql';
import type { Live } from './api/live';
import type { Session } from './api/session';
import { Services, usePath, useUser, type ConsoleServices } from './context';
import { JobPage } from './pages/job';
import { JobsPage } from './pages/jobs';
import { SignInPage } from './pages/sign-in';
import { SystemPage } from './pages/system';

export function App(props: { session: Session; request: Request; live: Live }) {
  const { session, live } = props;
  const user = useUser(session);
  const [path, navigate] = usePath();
  const services = useMemo<ConsoleServices>(() => ({ ...props, navigate }), [props, navigate]);

  if (!user) {
    return (
      <Services.Provider value={services}>
        <SignInPage />
      </Services.Provider>
    );
  }
  const isAdmin = user.roles.includes('ADMIN');
  const jobId = /^\/console\/jobs\/([^/]+)$/.exec(path)?.[1];
  const link = (to: string, label: string) => (
    <a
      href={to}
      aria-current={path === to ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  const signOut = async () => {
    const refreshToken = session.refreshToken;
    live.reset();
    session.end('You signed out.');
    if (refreshToken) {
      await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation SignOut($t: String!) { signOut(refreshToken: $t) }',
          variables: { t: refreshToken },
        }),
      }).catch(() => undefined);
    }
    navigate('/console');
  };

  return (
    <Services.Provider value={services}>
      <header className="bar">
        <span className="brand">Atrium</span>
        <nav aria-label="Console">
          {link('/console', 'Generate & jobs')}
          {isAdmin && link('/console/system', 'System')}
          <a href="/graphql">Explorer</a>
        </nav>
        <span className="who">
          {user.displayName} ({user.roles.join(', ')})
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main>
        {jobId ? (
          <JobPage id={decodeURIComponent(jobId)} />
        ) : path === '/console/system' ? (
          isAdmin ? (
            <SystemPage />
          ) : (
            <p role="alert">The system page is for administrators.</p>
          )
        ) : (
          <JobsPage />
        )}
      </main>
    </Services.Provider>
  );
}
