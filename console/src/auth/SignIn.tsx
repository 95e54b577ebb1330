import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConsoleAuthConfig } from '../../../src/console-host/config-document';
import { beginOidcSignIn, signInLocally } from './providers';
import { sessions } from './session';

/**
 * The sign-in: the local form (`npm start`) or the identity provider's button (AWS). Used on its
 * own page before the first sign-in, and in a modal over the moderator's page when a session
 * ends, so nothing they were looking at is lost.
 */
export function SignInForm(props: { auth: ConsoleAuthConfig; headingLevel?: 'h1' | 'h2'; reason?: string | undefined }) {
  const Heading = props.headingLevel ?? 'h1';
  const [username, setUsername] = useState(sessions.lastUsername);
  const [groups, setGroups] = useState('moderators');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement & HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);

  if (props.auth.kind === 'oidc') {
    const auth = props.auth;
    const host = new URL(auth.authorizationEndpoint).host;
    return (
      <section class="signin" aria-labelledby="signin-title">
        <Heading id="signin-title">{props.reason ? 'Sign in again' : 'Sign in'}</Heading>
        {props.reason && <p role="status">{props.reason} Your place is kept.</p>}
        <p>Moderators sign in with the organisation's identity provider ({host}).</p>
        {error && <p role="alert" class="form-error">{error}</p>}
        <button
          ref={first}
          type="button"
          class="primary"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            beginOidcSignIn(auth, location.pathname + location.search).catch((e: unknown) => {
              setError(String((e as Error).message ?? e));
              setBusy(false);
            });
          }}
        >
          Sign in
        </button>
      </section>
    );
  }

  const tokenEndpoint = props.auth.tokenEndpoint;
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signInLocally(tokenEndpoint, username, groups);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="signin" aria-labelledby="signin-title">
      <Heading id="signin-title">{props.reason ? 'Sign in again' : 'Sign in'}</Heading>
      {props.reason && <p role="status">{props.reason} Your place is kept: sign in and carry on.</p>}
      <p class="local-only">
        <strong>Local only.</strong> This form exists only on <code>npm start</code>: the local identity provider issues a token for any name and groups you type. A
        deployed console signs in through Cognito or your OIDC provider instead.
      </p>
      {error && (
        <p role="alert" class="form-error">
          {error}
        </p>
      )}
      <form onSubmit={submit} class="stack">
        <label for="signin-username">Username</label>
        <input id="signin-username" ref={first} name="username" autocomplete="username" required pattern="[\w.@+\-]{1,128}" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        <label for="signin-groups">Groups</label>
        <input id="signin-groups" name="groups" aria-describedby="signin-groups-help" value={groups} onInput={(e) => setGroups(e.currentTarget.value)} />
        <small id="signin-groups-help">Comma-separated. Moderators need moderators or admins; admins may also release anyone's claim.</small>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}

/** The sign-in over the current page after the session ended (a native modal: the page stays, inert). */
export function SignInAgainDialog(props: { auth: ConsoleAuthConfig; reason: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="signin-title" onCancel={(e) => e.preventDefault()}>
      <SignInForm auth={props.auth} headingLevel="h2" reason={props.reason} />
    </dialog>
  );
}
