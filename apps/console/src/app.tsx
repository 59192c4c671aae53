/** The shell: sign-in, navigation, the signed-in key, and the page of the route. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, api, session, whenUnauthorized } from './api.ts';
import type { Me, PageProps } from './page.ts';
import { AccountPage } from './pages/account.tsx';
import { ActivityPage } from './pages/activity.tsx';
import { ChecksPage } from './pages/checks.tsx';
import { FindingsPage } from './pages/findings.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { ScansPage } from './pages/scans.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { href, useRoute } from './router.ts';
import type { WhoAmI } from './types.ts';

const NAV = [
  ['/', 'Overview'],
  ['/findings', 'Findings'],
  ['/checks', 'Checks'],
  ['/scans', 'Scans'],
  ['/activity', 'Root activity'],
  ['/settings', 'Settings'],
] as const;

function describeSignInFailure(error: unknown): string {
  if (!(error instanceof ApiFailure)) return String(error);
  if (error.status === 401)
    return 'This API key is unknown or has been revoked. Ask for a new one (rootaudit api-key create).';
  if (error.status === 429) return `Too many failed attempts: ${error.message}`;
  if (error.status === 403) return 'This key cannot read findings (it has neither read nor write scope).';
  return `Signing in failed: ${error.message}`;
}

async function whoami(key?: string): Promise<Me> {
  const me = await api<WhoAmI>('/v1/whoami', key ? { key } : {});
  return { ...me, canWrite: me.scopes.includes('write') };
}

function SignIn({ onSignedIn, notice }: { onSignedIn: (me: Me) => void; notice: string | null }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = key.trim();
    if (!candidate) return setProblem('Enter an API key.');
    setBusy(true);
    try {
      const me = await whoami(candidate);
      session.signIn(candidate);
      setKey('');
      onSignedIn(me);
    } catch (error) {
      setProblem(describeSignInFailure(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in" id="main">
      <h1>rootaudit</h1>
      <p>
        The root user of every account of your AWS Organization: where it is exposed, since when, and what to
        do.
      </p>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          placeholder="ra_…"
          value={key}
          onInput={(event) => setKey((event.target as HTMLInputElement).value)}
          aria-describedby="key-help"
        />
        <p id="key-help" class="help">
          Kept in this browser tab only, until you sign out or close it. Create one with{' '}
          <code>rootaudit api-key create --name me --scope read</code>.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {problem && (
          <p class="problem" role="alert">
            {problem}
          </p>
        )}
      </form>
    </main>
  );
}

function Page({ route, me }: PageProps) {
  const [first] = route.segments;
  switch (first) {
    case undefined:
      return <OverviewPage route={route} me={me} />;
    case 'findings':
      return <FindingsPage route={route} me={me} />;
    case 'accounts':
      return <AccountPage route={route} me={me} />;
    case 'checks':
      return <ChecksPage route={route} me={me} />;
    case 'scans':
      return <ScansPage route={route} me={me} />;
    case 'activity':
      return <ActivityPage route={route} me={me} />;
    case 'settings':
      return <SettingsPage route={route} me={me} />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            No page at <code>{route.path}</code>. <a href="#/">Go to the overview</a>.
          </p>
        </>
      );
  }
}

export function App() {
  const route = useRoute();
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(() => session.key() !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const main = useRef<HTMLElement>(null);

  const signOut = (message: string | null) => {
    session.signOut();
    setMe(null);
    setNotice(message);
  };
  useEffect(() => {
    whenUnauthorized((message) => signOut(`You were signed out: ${message}.`));
    // A reload keeps the tab's key: check it is still good.
    if (session.key()) {
      whoami()
        .then(setMe, (error: unknown) => signOut(describeSignInFailure(error)))
        .finally(() => setChecking(false));
    }
  }, []);
  // A new page moves focus to its content, as a page load would.
  useEffect(() => {
    main.current?.focus();
  }, [route.segments[0]]);

  if (checking) return <p class="loading">Checking the API key…</p>;
  if (!me)
    return (
      <SignIn
        onSignedIn={(signedIn) => {
          setNotice(null);
          setMe(signedIn);
        }}
        notice={notice}
      />
    );
  const current = `/${route.segments[0] ?? ''}`;
  return (
    <>
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">rootaudit</span>
        <nav aria-label="pages">
          <ul>
            {NAV.map(([path, label]) => (
              <li key={path}>
                <a
                  href={href(path)}
                  aria-current={
                    (current === '/accounts' ? '/findings' : current) === path ? 'page' : undefined
                  }
                >
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          <span>
            {me.name} <span class="scope">({me.canWrite ? 'read and write' : 'read only'})</span>
          </span>
          <button type="button" onClick={() => signOut('You signed out.')}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Page route={route} me={me} />
      </main>
    </>
  );
}
