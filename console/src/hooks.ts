import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api/client';
import { sessions } from './auth/session';

/** Re-renders when the session changes (sign-in, expiry, sign-out). */
export function useSession() {
  const [, setVersion] = useState(0);
  useEffect(() => sessions.subscribe(() => setVersion((v) => v + 1)), []);
  return { session: sessions.session, endedReason: sessions.endedReason, epoch: sessions.epoch };
}

const tickers = new Set<(now: number) => void>();
let tickTimer: ReturnType<typeof setInterval> | undefined;

/** One shared one-second clock for every countdown on the page. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    tickers.add(setNow);
    tickTimer ??= setInterval(() => {
      const t = Date.now();
      for (const tick of tickers) tick(t);
    }, 1000);
    return () => {
      tickers.delete(setNow);
      if (tickers.size === 0) {
        clearInterval(tickTimer);
        tickTimer = undefined;
      }
    };
  }, []);
  return now;
}

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Date.now() when `data` arrived (countdowns are anchored to it). */
  receivedAt: number;
  refresh: () => void;
}

/**
 * Loads `load()` now and every `intervalMs` while the session lasts; `key` changes reload at
 * once (filters). Keeps the last good data while a refresh fails, so the page does not blank.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number, key: string): Polled<T> {
  const { session, epoch } = useSession();
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean; receivedAt: number; key: string }>({ loading: true, receivedAt: 0, key });
  const loader = useRef(load);
  loader.current = load;
  const run = useRef(0);

  const fetchNow = useCallback(() => {
    const mine = ++run.current;
    loader
      .current()
      .then((data) => {
        if (mine === run.current) setState({ data, loading: false, receivedAt: Date.now(), key });
      })
      .catch((error: unknown) => {
        if (mine !== run.current) return;
        const apiError = error instanceof ApiError ? error : new ApiError(0, { status: 0, detail: String(error) });
        setState((s) => ({ ...s, error: apiError, loading: false, ...(s.key === key ? {} : { data: undefined, key }) }));
      });
  }, [key]);

  useEffect(() => {
    if (!session) return;
    setState((s) => (s.key === key ? s : { loading: true, receivedAt: 0, key }));
    fetchNow();
    const timer = setInterval(fetchNow, intervalMs);
    return () => {
      clearInterval(timer);
      run.current += 1;
    };
  }, [key, intervalMs, fetchNow, Boolean(session), epoch]);

  const current = state.key === key;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, loading: !current || state.loading, receivedAt: state.receivedAt, refresh: fetchNow };
}

/** Is this keyboard event for a text field (so single-letter shortcuts must not fire)? */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  return false;
}

/** A single-key shortcut: no modifier, not while typing, not under a modal dialog. */
export function isShortcut(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return false;
  return document.querySelector('dialog[open]') === null;
}
