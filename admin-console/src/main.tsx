import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { callApi, useBearerToken, useCsrfToken, whenSignedOut } from './api';
import { linkTo, useRoute } from './route';
import { SignIn } from './screens/sign-in';
import { ConnectorsScreen } from './screens/connectors';
import { ConnectorScreen } from './screens/connector';
import { LogsScreen } from './screens/logs';
import { RunScreen } from './screens/run';
import { VersionsScreen } from './screens/versions';
import { DeliveriesScreen } from './screens/deliveries';
import { BackfillsScreen } from './screens/backfills';
import { AlertsScreen } from './screens/alerts';
import { NewConnectorScreen } from './screens/new-connector';

interface Session {
  user: string;
  expiresAt: string;
  csrfToken: string;
  /** Opened from Zendesk's nav_bar: Zendesk proved the admin; there is no sign-out here. */
  embedded?: boolean;
}

/** The session the server put in the page when Zendesk's nav_bar loaded it, signed. */
function readEmbeddedSession(): Session | undefined {
  const element = document.getElementById('dc-console-session');
  if (!element?.textContent) return undefined;
  try {
    const state = JSON.parse(element.textContent) as {
      token: string;
      expiresAt: string;
      user: string;
    };
    useBearerToken(state.token);
    return { user: state.user, expiresAt: state.expiresAt, csrfToken: '', embedded: true };
  } catch {
    return undefined;
  }
}

const SECTIONS = [
  { part: 'connectors', label: 'Connectors' },
  { part: 'logs', label: 'Logs' },
  { part: 'versions', label: 'Versions' },
  { part: 'deliveries', label: 'Deliveries' },
  { part: 'backfills', label: 'Backfills' },
  { part: 'alerts', label: 'Alerts' },
] as const;

function Screen() {
  const route = useRoute();
  const [section = 'connectors', id, tab] = route.parts;
  if (section === 'connectors' && id)
    return <ConnectorScreen key={`connector:${id}`} id={id} tab={tab ?? 'edit'} />;
  if (section === 'new' && id === 'blank')
    return <ConnectorScreen key="new" id={undefined} tab="edit" />;
  if (section === 'new') return <NewConnectorScreen how={id} templateId={tab} />;
  if (section === 'logs') return <LogsScreen query={route.query} />;
  if (section === 'runs' && id) return <RunScreen id={id} />;
  if (section === 'versions') return <VersionsScreen selected={id} />;
  if (section === 'deliveries') return <DeliveriesScreen selected={id} />;
  if (section === 'backfills') return <BackfillsScreen selected={id} />;
  if (section === 'alerts') return <AlertsScreen />;
  return <ConnectorsScreen />;
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();
  const section = route.parts[0] === 'new' ? 'connectors' : (route.parts[0] ?? 'connectors');

  const loadSession = async () => {
    const embedded = readEmbeddedSession();
    if (embedded) {
      setSession(embedded);
      return;
    }
    const answer = await callApi<Session>('GET', '/admin/session');
    if (answer.ok) useCsrfToken(answer.value.csrfToken);
    setSession(answer.ok ? answer.value : null);
  };
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    void loadSession();
  }, []);

  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) {
    return document.getElementById('dc-console-session') ? (
      <p class="error" role="alert">
        The console session has ended: reopen Data Connectors from Zendesk's navigation bar.
      </p>
    ) : (
      <SignIn onSignedIn={loadSession} />
    );
  }

  const signOut = async () => {
    await callApi('POST', '/admin/logout');
    setSession(null);
  };
  return (
    <>
      <header class="topbar">
        <span class="brand">Data Connectors</span>
        <nav aria-label="Console">
          {SECTIONS.map((item) => (
            <a
              href={linkTo([item.part])}
              aria-current={
                section === item.part || (section === 'runs' && item.part === 'logs')
                  ? 'page'
                  : undefined
              }
            >
              {item.label}
            </a>
          ))}
        </nav>
        <span class="who">
          Signed in as {session.user}
          {!session.embedded && (
            <button type="button" class="button button-basic" onClick={signOut}>
              Sign out
            </button>
          )}
        </span>
      </header>
      <main id="main">
        <Screen />
      </main>
    </>
  );
}

const root = document.getElementById('root');
if (root) render(<App />, root);
