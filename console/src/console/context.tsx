import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { Request } from './api/graphql';
import type { Live } from './api/live';
import type { Session, SessionUser } from './api/session';

export interface ConsoleServices {
  session: Session;
  request: Request;
  live: Live;
  navigate(path: string): void;
}

export const Services = createContext<ConsoleServices | undefined>(undefined);

export function useServices(): ConsoleServices {
  const services = useContext(Services);
  if (!services) throw new Error('useServices outside <Services.Provider>');
  return services;
}

export function useUser(session: Session): SessionUser | undefined {
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.user,
  );
}

/** The path under /console, kept in the address bar with the History API (ids only, never a token). */
export function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (next: string) => {
    if (next !== window.location.pathname) window.history.pushState(null, '', next);
    setPath(next);
  };
  return [path, navigate];
}

/** Runs `load` when `deps` change; its result, its error, and a way to reload. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, version]);
  return {
    ...state,
    reload: () => setVersion((v) => v + 1),
    set: (data: T) => setState({ data, loading: false }),
  };
}
