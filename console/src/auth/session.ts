import { jwtClaims } from '../lib/pkce';

/**
 * The moderator's session: the bearer token, kept in sessionStorage (this tab only, gone when
 * it closes; never localStorage), and a timer that ends the session when the token expires.
 * Ending a session keeps the page as it is: the app shows the sign-in over it, and after
 * signing in again the moderator carries on where they were.
 */
export interface Session {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  username: string;
  /** The token's `sub`: what the API records claims and decisions under. */
  subject: string;
}

const KEY = 'moderation-console.session';
const LAST_USER = 'moderation-console.last-username';

type Listener = () => void;

function read(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Session;
    return typeof parsed.token === 'string' && typeof parsed.expiresAt === 'number' && parsed.expiresAt > Date.now() ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A session from a token: its own `exp` wins over what the issuer said, and the username is read from it for display. */
export function sessionFromToken(token: string, fallback: { expiresAt?: number; username?: string } = {}): Session {
  const claims = jwtClaims(token) ?? {};
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : (fallback.expiresAt ?? Date.now() + 3_600_000);
  const username = [claims.username, claims['cognito:username'], claims.preferred_username, claims.email, fallback.username, claims.sub].find((v): v is string => typeof v === 'string' && v !== '') ?? 'moderator';
  return { token, expiresAt: exp, username, subject: typeof claims.sub === 'string' ? claims.sub : '' };
}

class SessionStore {
  private current: Session | undefined = read();
  /** Why the last session ended (undefined after an explicit sign-out or before any sign-in). */
  private ended: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<Listener>();
  /** Bumped on every sign-in, so views refetch what a 401 interrupted. */
  epoch = 0;

  constructor() {
    this.schedule();
  }

  get session(): Session | undefined {
    return this.current;
  }

  get endedReason(): string | undefined {
    return this.ended;
  }

  get lastUsername(): string {
    try {
      return sessionStorage.getItem(LAST_USER) ?? '';
    } catch {
      return '';
    }
  }

  token = (): string | undefined => this.current?.token;

  set(session: Session): void {
    this.current = session;
    this.ended = undefined;
    this.epoch += 1;
    try {
      sessionStorage.setItem(KEY, JSON.stringify(session));
      sessionStorage.setItem(LAST_USER, session.username);
    } catch {
      // Storage refused (private mode quotas): the session lives in memory for this page.
    }
    this.schedule();
    this.emit();
  }

  /** The token expired or the API refused it: sign-in comes back over the current page. */
  expire(reason: string): void {
    if (!this.current) return;
    this.clear();
    this.ended = reason;
    this.emit();
  }

  signOut(): void {
    this.clear();
    this.ended = undefined;
    this.emit();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private clear() {
    this.current = undefined;
    clearTimeout(this.timer);
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // nothing stored
    }
  }

  private schedule() {
    clearTimeout(this.timer);
    if (!this.current) return;
    // setTimeout's limit is ~24.8 days; tokens live hours.
    const wait = Math.min(this.current.expiresAt - Date.now(), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.expire('Your session expired.'), Math.max(0, wait));
  }

  private emit() {
    for (const listener of [...this.listeners]) listener();
  }
}

export const sessions = new SessionStore();
