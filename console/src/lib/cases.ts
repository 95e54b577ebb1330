import { formatAge } from './time.js';

/**
 * The Reports queue's filters and order as the URL holds them, and how a case's figures read.
 * Pure: the wording and the URL round trip are unit-tested.
 *
 *   /console/reports?status=OPEN&category=hate&channel=ARN&sender=ARN&order=priority
 *
 * Defaults are left out of the URL (status OPEN, order deadline), as the API defaults them.
 */

export const CASE_STATUSES = ['OPEN', 'ACTIONED', 'DISMISSED'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_ORDERS = ['deadline', 'priority'] as const;
export type CaseOrder = (typeof CASE_ORDERS)[number];

/** The report categories, with the default policy's labels (a policy may rename them; cases carry their own labels). */
export const CATEGORY_LABELS = {
  spam: 'Spam',
  harassment: 'Harassment',
  hate: 'Hate',
  sexual: 'Sexual content',
  violence: 'Violence or threats',
  'self-harm': 'Self-harm',
  scam: 'Scam or fraud',
  other: 'Something else',
} as const;
export type Category = keyof typeof CATEGORY_LABELS;
const isCategory = (value: string | null): value is Category => value !== null && Object.hasOwn(CATEGORY_LABELS, value);

export interface CaseFilters {
  status: CaseStatus;
  category: Category | '';
  channel: string;
  sender: string;
  order: CaseOrder;
}

export const NO_CASE_FILTERS: CaseFilters = { status: 'OPEN', category: '', channel: '', sender: '', order: 'deadline' };

export function caseFiltersFrom(search: string): CaseFilters {
  const p = new URLSearchParams(search);
  const status = p.get('status');
  const order = p.get('order');
  const category = p.get('category');
  return {
    status: (CASE_STATUSES as readonly string[]).includes(status ?? '') ? (status as CaseStatus) : 'OPEN',
    category: isCategory(category) ? category : '',
    channel: p.get('channel') ?? '',
    sender: p.get('sender') ?? '',
    order: order === 'priority' ? 'priority' : 'deadline',
  };
}

export function caseSearchFrom(f: CaseFilters): string {
  const p = new URLSearchParams();
  if (f.status !== 'OPEN') p.set('status', f.status);
  if (f.category) p.set('category', f.category);
  if (f.channel) p.set('channel', f.channel);
  if (f.sender) p.set('sender', f.sender);
  if (f.order !== 'deadline') p.set('order', f.order);
  const text = p.toString();
  return text ? `?${text}` : '';
}

/** GET /cases's query for these filters. */
export function casesQueryFrom(f: CaseFilters, limit: number, cursor?: string) {
  return {
    status: f.status,
    order: f.order,
    limit,
    ...(f.category ? { category: f.category } : {}),
    ...(f.channel ? { channelArn: f.channel } : {}),
    ...(f.sender ? { senderArn: f.sender } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export const filtersActive = (f: CaseFilters): boolean => Boolean(f.category || f.channel || f.sender || f.status !== 'OPEN');

/** "Harassment ×2 · Violence or threats": each category with its count, as the case lists them (most severe first). */
export function categoriesText(categories: ReadonlyArray<{ label: string; count: number }>): string {
  return categories.map((c) => (c.count > 1 ? `${c.label} ×${c.count}` : c.label)).join(' · ');
}

export const reportersText = (count: number, capped?: boolean): string => `${count}${capped ? '+' : ''} reporter${count === 1 ? '' : 's'}`;

/** A case's priority as a figure to compare (severity × (1 + ln(1 + weight)): one decimal is enough). */
export const priorityText = (priority: number): string => priority.toFixed(1);

/**
 * A reporter's track record, weighted as Discourse weighs flags: accuracy = (upheld + 1) /
 * (upheld + dismissed + 2), so a newcomer starts at 50 %.
 */
export function accuracyText(reporter: { accuracy: number; upheld: number; dismissed: number }): string {
  const percent = `${Math.round(reporter.accuracy * 100)}%`;
  if (reporter.upheld + reporter.dismissed === 0) return `${percent} accurate (no decided reports yet)`;
  return `${percent} accurate (${reporter.upheld} upheld, ${reporter.dismissed} dismissed)`;
}

/** How well-founded a reporter's reports have been: the word backs the figure's colour. */
export function accuracyLevel(accuracy: number): 'high' | 'mid' | 'low' {
  return accuracy >= 0.7 ? 'high' : accuracy >= 0.4 ? 'mid' : 'low';
}

/** "reported 3h ago" for a case row. */
export const reportedAgo = (firstReportAt: string, nowMs: number): string => `first reported ${formatAge(nowMs - Date.parse(firstReportAt))}`;

/** What a case decision does, said before Confirm. */
export function caseConsequence(action: 'DISMISS' | 'REDACT' | 'DELETE', sender: string): string {
  switch (action) {
    case 'DISMISS':
      return `Dismiss the reports: the message stays as it is and ${sender} gets no strike. The reporters’ records count it as not upheld.`;
    case 'REDACT':
      return `Redact the message in Chime: it stays in the channel with its content removed for everyone. ${sender} gets a strike; the reporters’ records count it as upheld.`;
    case 'DELETE':
      return `Delete the message in Chime: it is removed for everyone, and this cannot be undone. ${sender} gets a strike; the reporters’ records count it as upheld.`;
  }
}
