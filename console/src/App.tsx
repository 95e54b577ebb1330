import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsoleConfigDocument } from '../../src/console-host/config-document';
import { ApiError, call, createApi, type Me, type Viewer } from './api/client';
import { useAnnouncement } from './announcer';
import { completeOidcSignIn, signOut } from './auth/providers';
import { sessions } from './auth/session';
import { SignInAgainDialog, SignInForm } from './auth/SignIn';
import { ShortcutsDialog } from './components/ShortcutsDialog';
import { ErrorState, Loading } from './components/States';
import { isShortcut, useSession } from './hooks';
import { NAV_SHORTCUTS, navTarget, titleOf } from './lib/navigation';
import { explainProblem } from './lib/problems';
import { BASE, navigate, onLinkClick, parseRoute, useLocation } from './router';
import { AuditView } from './views/AuditView';
import { DashboardView } from './views/DashboardView';
import { FailedView } from './views/FailedView';
import { LazyAppeals, LazyApprovals, LazyReports, LazySender } from './views/LazyPeople';
import { LazyPolicies } from './views/LazyPolicies';
import { QueueView } from './views/QueueView';

/**
 * The shell: sign-in, who is signed in, navigation, the shortcuts list, and the views. The
 * moderator's place is the URL; when a session ends the sign-in opens over the page, and the
 * views reload what they need once the moderator is back.
 */
export function App(props: { config: ConsoleConfigDocument }) {
  const { config } = props;
  const { session, endedReason, epoch } = useSession();
  const where = useLocation();
  const route = parseRoute(where.pathname);
  const api = useMemo(
    () => createApi({ baseUrl: config.apiBaseUrl, token: sessions.token, onUnauthorized: () => sessions.expire('The API no longer accepts your sign-in (it expired or was revoked).') }),
    [],
  );
  const [callback, setCallback] = useState<{ pending: boolean; error?: string }>({ pending: config.auth.kind === 'oidc' && /[?&](code|error)=/.test(location.search) });
  const [me, setMe] = useState<Me>();
  // The views start at once, with who is signed in as the token says; GET /me adds the rest. The
  // last viewer stays while a sign-in is renewed, so the page underneath keeps its place.
  const [viewer, setViewer] = useState<Viewer | undefined>(session && { subject: session.subject, username: session.username });
  useEffect(() => {
    if (session) setViewer({ subject: session.subject, username: session.username });
  }, [session?.token]);
  const who = me ?? viewer;
  const [meError, setMeError] = useState<ApiError>();
  const [help, setHelp] = useState(false);

  useEffect(() => {
    if (!callback.pending || config.auth.kind !== 'oidc') return;
    completeOidcSignIn(config.auth)
      .then((returnTo) => {
        setCallback({ pending: false });
        navigate(returnTo && returnTo.startsWith(BASE) ? returnTo : BASE, { replace: true });
      })
      .catch((error: unknown) => {
        history.replaceState(null, '', BASE);
        setCallback({ pending: false, error: (error as Error).message });
      });
  }, []);

  useEffect(() => {
    if (!session) return;
    setMeError(undefined);
    call(api.GET('/me'))
      .then(setMe)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status !== 401) setMeError(error);
      });
  }, [session?.token, epoch]);

  useEffect(() => {
    // "g" then a letter goes to a page (g r: Reports); the second key must follow within 1.5 s.
    // Listened for on window in the capture phase, before the views' own keys: the key after "g"
    // is consumed (preventDefault), so "g a" goes to Appeals and never allows the open message.
    let goAt = 0;
    const onKey = (event: KeyboardEvent) => {
      if (!isShortcut(event) || event.key === 'Shift') return;
      if (event.key === '?') {
        event.preventDefault();
        setHelp(true);
        return;
      }
      const afterGo = Date.now() - goAt < 1500;
      goAt = 0;
      if (afterGo) {
        event.preventDefault();
        const target = navTarget(event.key);
        if (target !== undefined) navigate(`${BASE}${target}`);
        return;
      }
      if (event.key === 'g') {
        goAt = Date.now();
        event.preventDefault();
      }
    };
    addEventListener('keydown', onKey, true);
    return () => removeEventListener('keydown', onKey, true);
  }, []);

  useEffect(() => {
    document.title = titleOf(route.name);
  }, [route.name]);

  if (callback.pending) return <Loading what="your sign-in" />;

  // Never signed in (or signed out): the sign-in page.
  if (!session && !endedReason) {
    return (
      <main id="main" class="signin-page">
        <p class="brand">Moderation console</p>
        {callback.error && (
          <p role="alert" class="form-error">
            {callback.error}
          </p>
        )}
        <SignInForm auth={config.auth} />
      </main>
    );
  }

  if (meError?.status === 403) {
    const explained = explainProblem({ ...meError.problem, requiredGroups: [config.groups.moderator, config.groups.admin] }, { nowMs: Date.now() });
    return (
      <main id="main" class="signin-page">
        <p class="brand">Moderation console</p>
        <section class="forbidden" aria-labelledby="forbidden-title">
          <h1 id="forbidden-title">{explained.title}</h1>
          <p>
            Signed in as <strong>{session?.username}</strong>. {explained.message}
          </p>
          <button type="button" class="primary" onClick={() => signOut(config.auth)}>
            Sign in as someone else
          </button>
        </section>
      </main>
    );
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to the content
      </a>
      <header class="top">
        <a class="brand" href={BASE} onClick={onLinkClick}>
          Moderation console
        </a>
        <nav aria-label="Main">
          <ul>
            {(
              [
                ['Queue', BASE, route.name === 'queue'],
                ['Reports', `${BASE}/reports`, route.name === 'reports'],
                ['Appeals', `${BASE}/appeals`, route.name === 'appeals'],
                ['Approvals', `${BASE}/approvals`, route.name === 'approvals'],
                ['Audit', `${BASE}/audit`, route.name === 'audit'],
                ['Dashboard', `${BASE}/dashboard`, route.name === 'dashboard'],
                ['Failed', `${BASE}/failed`, route.name === 'failed'],
                ['Policies', `${BASE}/policies`, route.name === 'policies'],
              ] as const
            ).map(([label, href, current]) => (
              <li key={href}>
                <a href={href} aria-current={current ? 'page' : undefined} onClick={onLinkClick} title={NAV_SHORTCUTS[label] ? `${label} (g then ${NAV_SHORTCUTS[label]})` : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {config.auth.kind === 'local' && (
            <span class="pill" title="Running on your machine: Comprehend and Bedrock Guardrails are local emulators, so classifier scores come from test fixtures and a small development word list, not from AWS">
              local stack · classifier scores from an emulator
            </span>
          )}
          <span>
            {me?.username ?? session?.username ?? ''}
            {me?.isAdmin ? ' (admin)' : ''}
          </span>
          <button type="button" aria-keyshortcuts="?" onClick={() => setHelp(true)}>
            Shortcuts <kbd aria-hidden="true">?</kbd>
          </button>
          <button type="button" onClick={() => signOut(config.auth)}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        {meError && <ErrorState error={meError} what="your account" />}
        {!who && !meError && <Loading what="your account" />}
        {who && route.name === 'queue' && <QueueView api={api} me={who} isAdmin={me?.isAdmin ?? false} openId={route.openId} search={where.search} />}
        {who && route.name === 'reports' && <LazyReports api={api} me={who} isAdmin={me?.isAdmin ?? false} openId={route.openId} search={where.search} />}
        {who && route.name === 'appeals' && <LazyAppeals api={api} me={who} openId={route.openId} search={where.search} />}
        {who && route.name === 'approvals' && <LazyApprovals api={api} me={who} />}
        {who && route.name === 'sender' && <LazySender key={route.memberArn} api={api} me={who} isAdmin={me?.isAdmin ?? false} memberArn={route.memberArn} search={where.search} />}
        {who && route.name === 'audit' && <AuditView api={api} isAdmin={me?.isAdmin ?? false} search={where.search} />}
        {who && route.name === 'dashboard' && <DashboardView api={api} />}
        {who && route.name === 'failed' && <FailedView api={api} isAdmin={me?.isAdmin} />}
        {who && route.name === 'policies' && <LazyPolicies api={api} isAdmin={me?.isAdmin} scope={route.scope} search={where.search} />}
        {who && route.name === 'unknown' && (
          <section>
            <h1>No such page</h1>
            <p>
              <a href={BASE} onClick={onLinkClick}>
                Go to the queue
              </a>
            </p>
          </section>
        )}
      </main>
      <Toast />
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
      {!session && endedReason && <SignInAgainDialog auth={config.auth} reason={endedReason} />}
    </>
  );
}

/** The polite live region, shown as a toast for a few seconds. */
function Toast() {
  const { text, serial } = useAnnouncement();
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (!serial) return;
    setVisible(true);
    const timer = setTimeout(() => setVisible(false), 5000);
    return () => clearTimeout(timer);
  }, [serial]);
  return (
    <div class={`toast${visible ? ' visible' : ''}`} role="status" aria-live="polite" aria-atomic="true">
      {text}
    </div>
  );
}
