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
 *   /console/reports               the Reports queue: open cases (filters in the query: status, category, channel, sender, order)
 *   /console/reports/{caseId}      the Reports queue with one case open
 *   /console/appeals               the Appeals queue (status in the query); /console/appeals/{appealId} with one open
 *   /console/approvals             bans waiting for a second moderator
 *   /console/senders/{memberArn}   a sender's record (URL-encoded ARN; `channel` in the query: where the moderator came from)
 */
export const BASE = '/console';

export type Route =
  | { name: 'queue'; openId?: string }
  | { name: 'reports'; openId?: string }
  | { name: 'appeals'; openId?: string }
  | { name: 'approvals' }
  | { name: 'sender'; memberArn: string }
  | { name: 'audit' }
  | { name: 'dashboard' }
  | { name: 'failed' }
  | { name: 'policies'; scope?: string }
  | { name: 'unknown' };

const decoded = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length).replace(/\/+$/, '') : pathname;
  if (path === '' || path === '/queue') return { name: 'queue' };
  const review = /^\/reviews\/([A-Za-z0-9_-]{1,128})$/.exec(path);
  if (review) return { name: 'queue', openId: review[1]! };
  if (path === '/reports') return { name: 'reports' };
  const reported = /^\/reports\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  if (reported) return { name: 'reports', openId: reported[1]! };
  if (path === '/appeals') return { name: 'appeals' };
  const appeal = /^\/appeals\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  if (appeal) return { name: 'appeals', openId: appeal[1]! };
  if (path === '/approvals') return { name: 'approvals' };
  const sender = /^\/senders\/([^/]+)$/.exec(path);
  if (sender) {
    const memberArn = decoded(sender[1]!);
    return memberArn ? { name: 'sender', memberArn } : { name: 'unknown' };
  }
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
export const casesUrl = (search: string) => `${BASE}/reports${search}`;
/** `/console/reports/CASE?status=…` keeping the Reports queue's filters. */
export const caseUrl = (caseId: string, search: string) => `${BASE}/reports/${caseId}${search}`;
export const appealsUrl = (search: string) => `${BASE}/appeals${search}`;
export const appealUrl = (appealId: string, search: string) => `${BASE}/appeals/${appealId}${search}`;
/** A sender's record; `channel`: where the moderator came from (the restriction form starts there). */
export const senderUrl = (memberArn: string, channel?: string) => `${BASE}/senders/${encodeURIComponent(memberArn)}${channel ? `?channel=${encodeURIComponent(channel)}` : ''}`;
/** `/console/policies/{scope}?view=…` (the scope URL-encoded, as the API takes it). */
export const policyUrl = (scope: string, view?: string) => `${BASE}/policies/${encodeURIComponent(scope)}${view && view !== 'edit' ? `?view=${view}` : ''}`;

/** Follows a link in-app on a plain click (new tab and friends still work). */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.currentTarget as HTMLAnchorElement;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
