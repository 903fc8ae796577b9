import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { session } from './api/endpoints.ts';
import { csrf, setUnauthorizedHandler } from './api/http.ts';
import { match, useRouter } from './router.tsx';
import { SessionContext, signedIn } from './session.tsx';
import { Layout } from './components/Layout.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { QueuePage } from './pages/QueuePage.tsx';
import { IncidentPage } from './pages/IncidentPage.tsx';
import { SearchPage } from './pages/SearchPage.tsx';
import { RulesPage } from './pages/RulesPage.tsx';
import { EventsPage } from './pages/EventsPage.tsx';
import { HealthPage } from './pages/HealthPage.tsx';
import { RunsPage } from './pages/RunsPage.tsx';
import { RunPage } from './pages/RunPage.tsx';

export function App() {
  const { loc, navigate } = useRouter();
  const qc = useQueryClient();
  // Without a sign of an earlier login the session is not even asked for: a fresh browser gets the
  // login page without a 401 in its console.
  const me = useQuery({
    queryKey: ['me'],
    queryFn: () => (signedIn.get() ? session.me() : null),
    retry: false,
    staleTime: Infinity,
  });

  useEffect(() => {
    setUnauthorizedHandler(() => {
      csrf.token = null;
      signedIn.set(false);
      qc.setQueryData(['me'], null);
    });
  }, [qc]);

  if (me.data?.csrfToken !== undefined) csrf.token = me.data.csrfToken ?? null;

  if (me.isPending)
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  if (!me.data) {
    return (
      <LoginPage
        onLoggedIn={(user) => {
          csrf.token = user.csrfToken ?? null;
          signedIn.set(true);
          qc.setQueryData(['me'], user);
          if (loc.path === '/login') navigate('/', true);
        }}
      />
    );
  }

  const logout = () => {
    void session.logout().finally(() => {
      csrf.token = null;
      signedIn.set(false);
      qc.clear();
      qc.setQueryData(['me'], null);
      navigate('/', true);
    });
  };

  const incident = match('/incidents/:id', loc.path);
  const run = match('/runs/:id', loc.path);
  let page;
  if (incident) page = <IncidentPage id={incident.id!} />;
  else if (run) page = <RunPage id={run.id!} />;
  else if (loc.path === '/runs') page = <RunsPage />;
  else if (loc.path === '/search') page = <SearchPage />;
  else if (loc.path === '/rules') page = <RulesPage />;
  else if (loc.path === '/events') page = <EventsPage />;
  else if (loc.path === '/health') page = <HealthPage />;
  else page = <QueuePage />;

  return (
    <SessionContext.Provider value={{ me: me.data, logout }}>
      <Layout>{page}</Layout>
    </SessionContext.Provider>
  );
}
