/**
 * The console's pages for navigation: each page's title (the document's, so a tab, the history
 * and a screen reader name where one is), and the "g then a letter" keys that go there (as in
 * Gmail and GitHub: single keys are the open item's, so pages take a pair).
 */
export const PAGES = [
  { route: 'queue', label: 'Queue', path: '', key: 'h', title: 'Held messages' },
  { route: 'reports', label: 'Reports', path: '/reports', key: 'r', title: 'Reports' },
  { route: 'appeals', label: 'Appeals', path: '/appeals', key: 'a', title: 'Appeals' },
  { route: 'approvals', label: 'Approvals', path: '/approvals', key: 'v', title: 'Approvals' },
  { route: 'audit', label: 'Audit', path: '/audit', key: 'l', title: 'Decision log' },
  { route: 'dashboard', label: 'Dashboard', path: '/dashboard', key: 'd', title: 'Dashboard' },
  { route: 'failed', label: 'Failed', path: '/failed', key: 'f', title: 'Failed deliveries' },
  { route: 'policies', label: 'Policies', path: '/policies', key: 'p', title: 'Policies' },
] as const;

/** Nav label → its second key. */
export const NAV_SHORTCUTS: Record<string, string> = Object.fromEntries(PAGES.map((p) => [p.label, p.key]));

/** The path (under /console) the key after "g" goes to, if any. */
export function navTarget(key: string): string | undefined {
  return PAGES.find((p) => p.key === key)?.path;
}

const OTHER_TITLES: Record<string, string> = { sender: 'Sender record', unknown: 'No such page' };

/** "Reports · Moderation console". */
export function titleOf(route: string): string {
  const page = PAGES.find((p) => p.route === route)?.title ?? OTHER_TITLES[route];
  return page ? `${page} · Moderation console` : 'Moderation console';
}
