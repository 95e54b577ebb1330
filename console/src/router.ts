import { useEffect, useState } from 'preact/hooks';

/**
 * The console's routes live in the URL (so a reload, a shared link or a trip through the
 * identity provider lands on the same place):
 *
 *   /console                       the queue (filters in the query: channel, sender, rule, claimed)
 *   /console/reviews/{callbackId}  the queue with one item open
 *   /console/audit                 the decision log (its filters in the query)
 *   /console/dashboard             the figures
 *   /console/failed                FAILED messages still in their window, and re-delivery (admins)
 *   /console/policies              the live policies (global open)
 *   /console/policies/{scope}      one scope (URL-encoded ARN); its view in the query: view=edit|effective|replay|history
 */
export const BASE = '/console';

export type Route = { name: 'queue'; openId?: string } | { name: 'audit' } | { name: 'dashboard' } | { name: 'failed' } | { name: 'policies'; scope?: string } | { name: 'unknown' };

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length).replace(/\/+$/, '') : pathname;
  if (path === '' || path === '/queue') return { name: 'queue' };
  const review = /^\/reviews\/([A-Za-z0-9_-]{1,128})$/.exec(path);
  if (review) return { name: 'queue', openId: review[1]! };
  if (path === '/audit') return { name: 'audit' };
  if (path === '/dashboard') return { name: 'dashboard' };
  if (path === '/failed') return { name: 'failed' };
  if (path === '/policies') return { name: 'policies' };
  const policy = /^\/policies\/([^/]+)$/.exec(path);
  if (policy) {
    try {
      return { name: 'policies', scope: decodeURIComponent(policy[1]!) };
    } catch {
      return { name: 'unknown' };
    }
  }
  return { name: 'unknown' };
}

const NAVIGATED = 'console:navigated';

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (url === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new Event(NAVIGATED));
}

export function useLocation(): { pathname: string; search: string } {
  const [where, setWhere] = useState({ pathname: location.pathname, search: location.search });
  useEffect(() => {
    const update = () => setWhere({ pathname: location.pathname, search: location.search });
    addEventListener('popstate', update);
    addEventListener(NAVIGATED, update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener(NAVIGATED, update);
    };
  }, []);
  return where;
}

/** `/console/reviews/ID?channel=…` keeping the queue's filters. */
export const reviewUrl = (id: string, search: string) => `${BASE}/reviews/${id}${search}`;
export const queueUrl = (search: string) => `${BASE}${search}`;
/** `/console/policies/{scope}?view=…` (the scope URL-encoded, as the API takes it). */
export const policyUrl = (scope: string, view?: string) => `${BASE}/policies/${encodeURIComponent(scope)}${view && view !== 'edit' ? `?view=${view}` : ''}`;

/** Follows a link in-app on a plain click (new tab and friends still work). */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.currentTarget as HTMLAnchorElement;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
