import { createHash } from 'node:crypto';
import type { StoredRecord } from '../adapters/control-records.js';
import type { ChimeRefusal, FollowUpOutcome } from '../domain/follow-up.js';
import type { Actor } from '../domain/item.js';
import { PeopleConflictError } from '../errors.js';
import type { CommunityPolicy, ReportCategory } from '../policy/community.js';
import { casePriority, categorySettings, maxSeverity, slaDueAt } from './scoring.js';

/**
 * Reports of sent messages and the cases they gather into: the records in the control table
 * (src/adapters/control-records.ts) and every change to them, as pure functions. The room's
 * operations read a record, compute the next one here, and write it conditionally on the version
 * they read (src/adapters/dynamodb-reports.ts), so that of two writers exactly one wins and the
 * other re-reads: reports arriving together, two moderators, a report during a decision.
 *
 *   CASE#<caseId>       CASE                        the case: counts, categories, priority, SLA, claim, decision
 *                       PRIORITY                    its entry in the priority order (see below)
 *                       REPORT#<reporterArn>        one report (one per reporter per message, by key)
 *   MEMBER#<memberArn>  REPORTER                    a reporter's record: upheld / dismissed, recent reports
 *                       REPORTED#<iso>#<caseId>     a report they made (GET /reports/mine)
 *                       CASE#<caseId>               a case about a message they sent (the senders room)
 *
 * A case's id is derived from its message, so the first reports of one message, arriving at
 * once, converge on one case (a conditional create: one wins, the others add to it).
 *
 * The queue index (byQueue) holds every case under its status, in two orders, by two small
 * entries (the index projects whole items, and a case record is kilobytes: it stays out of the
 * index): its DUE entry by SLA due time (`CASES#<status>#<shard>`), and its PRIORITY entry by
 * priority (`CASES-BY-PRIORITY#<status>#<shard>`), each a copy of the keys the queue is filtered
 * on, rewritten after every write of the case. Urgent cases (auto-hidden) come first in both.
 */

export const CASE_STATUSES = ['OPEN', 'ACTIONED', 'DISMISSED'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_ACTIONS = ['DISMISS', 'REDACT', 'DELETE'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** Write shards of each queue partition (merged when listing, like the moderation table's indexes). */
export const CASE_SHARDS = 4;
/** Reporters a case lists by name (the first ones); the count covers all, the reports are their own items. */
export const MAX_LISTED_REPORTERS = 5;
/**
 * Reporters the case remembers having counted last (their ARNs). A report is counted on its case
 * exactly once: its own record is flagged `tallied` after the case counted it, and the case
 * remembers the last few it counted for a request that died between the two writes. One leaves
 * this memory only after its report is flagged (src/reports/tally.ts), so the memory stays small
 * whatever the number of reporters, and nothing is ever counted twice.
 */
export const TALLIED_KEPT = 16;
/** Report times a case keeps, newest last: the auto-hide window counts distinct reporters in it. */
export const RECENT_REPORTS_KEPT = 100;
/** Entries of a case's history; the oldest past it (but the first) are folded into one count. */
export const MAX_CASE_HISTORY = 30;
/**
 * Reports whose outcome a reporter's record remembers having counted (`<caseId>#<report time>`),
 * newest last. The report's own record is flagged `outcomeCounted` too, and an entry leaves this
 * memory only once its report is flagged: a case settled again, however late, counts nothing twice.
 */
export const SETTLED_KEPT = 50;
/** Seconds a decided case is left to the request that decided it before the sweeper task settles what it still owes. */
export const SETTLE_GRACE_SECONDS = 60;

// ─── Ids and keys ───────────────────────────────────────────────────────────────────────────

const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/** One case per message: 32 characters of [A-Za-z0-9_-] (never `#`, so keys stay unambiguous). */
export const caseIdOf = (channelArn: string, messageId: string): string => digest(`${channelArn}\u0000${messageId}`).slice(0, 32);
export const CASE_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;
export const reportIdOf = (caseId: string, reporterArn: string): string => digest(`${caseId}\u0000${reporterArn}`).slice(0, 32);
/** How a case remembers it counted a reporter (no ARN needed, and a fixed size). */
export const reporterKeyOf = (reporterArn: string): string => digest(reporterArn).slice(0, 12);

export const caseKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' });
export const priorityKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'PRIORITY' });
export const dueKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'DUE' });
export const reportKey = (caseId: string, reporterArn: string) => ({ pk: `CASE#${caseId}`, sk: `REPORT#${reporterArn}` });
export const reporterRecordKey = (memberArn: string) => ({ pk: `MEMBER#${memberArn}`, sk: 'REPORTER' });
export const reportedKey = (memberArn: string, at: string, caseId: string) => ({ pk: `MEMBER#${memberArn}`, sk: `REPORTED#${at}#${caseId}` });
export const senderCaseKey = (senderArn: string, caseId: string) => ({ pk: `MEMBER#${senderArn}`, sk: `CASE#${caseId}` });

export const caseShardOf = (caseId: string): number => caseId.charCodeAt(0) % CASE_SHARDS;
export const deadlineQueueKey = (status: CaseStatus, shard: number) => `CASES#${status}#${shard}`;
export const priorityQueueKey = (status: CaseStatus, shard: number) => `CASES-BY-PRIORITY#${status}#${shard}`;
/** Urgent first, then the SLA due time (soonest first). */
export const deadlineSort = (c: Pick<CaseRecord, 'urgent' | 'dueAt' | 'caseId'>) => `${c.urgent ? 0 : 1}#${c.dueAt}#${c.caseId}`;
/** Urgent first, then the highest priority, then the due time (ascending order throughout: the priority is inverted). */
export const prioritySort = (c: Pick<CaseRecord, 'urgent' | 'priority' | 'dueAt' | 'caseId'>) =>
  `${c.urgent ? 0 : 1}#${String(99_999 - Math.min(99_999, Math.round(c.priority * 100))).padStart(5, '0')}#${c.dueAt}#${c.caseId}`;
/** Every sort key ends with the case id. */
export const caseIdOfSort = (sort: string): string => sort.slice(sort.lastIndexOf('#') + 1);

/**
 * A decided case whose consequences are owed waits in `CASES#SETTLE#<shard>` (its marker
 * `CASE#<caseId>` / `SETTLE`, written before the decision, by when the sweeper task should look):
 * the sweeper task finishes what the deciding request left.
 */
export const settleMarkerKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'SETTLE' });
export const settleQueueKey = (shard: number) => `CASES#SETTLE#${shard}`;
/**
 * A report stored but not yet counted on its case waits in `CASES#TALLY#<shard>`, by case then
 * time, until it is: whoever writes the case next counts the ones waiting with theirs (a batch),
 * and the sweeper task counts what is left.
 */
export const tallyQueueKey = (shard: number) => `CASES#TALLY#${shard}`;
export const tallyQueueOf = (report: Pick<ReportRecord, 'caseId' | 'at' | 'reporterArn'>) => ({
  queueKey: tallyQueueKey(caseShardOf(report.caseId)),
  queueSort: `${report.caseId}#${report.at}#${reporterKeyOf(report.reporterArn)}`,
});
/** Reports one case write counts at most (its own and those waiting): never more than the case remembers. */
export const TALLY_BATCH = 12;
/** How a reporter's record remembers one report's outcome: the case, and when the report was made (a case opened anew after one expired is another). */
export const settledRefOf = (report: Pick<ReportRecord, 'caseId' | 'at'>) => `${report.caseId}#${report.at}`;
/** Has a stored record outlived its retention (the TTL deletes it later, lazily)? */
export const isExpired = (record: { expiresAt?: number } | undefined, nowMs: number): boolean => record?.expiresAt !== undefined && record.expiresAt * 1000 <= nowMs;

// ─── Records ────────────────────────────────────────────────────────────────────────────────

/** A reported message as Chime held it when it was read (never as a reporter described it). */
export interface MessageSnapshot {
  content: string;
  metadata?: string;
  createdTimestamp?: string;
  lastEditedTimestamp?: string;
  /** A targeted message: whom it was for (only they and the sender can see it). */
  target?: string[];
}

export interface CaseReporter {
  arn: string;
  category: ReportCategory;
  at: string;
  /** Their accuracy when they reported (what they added to the case's weight). */
  accuracy: number;
}

export interface CaseClaim {
  subject: string;
  username?: string;
  until: string;
  claimedAt: string;
}

/** A case's action in Chime (a decision's REDACT or DELETE, an auto-hide): its follow-up record and how it ended. */
export interface CaseChimeAction {
  /** The follow-up action record (`ACTION#…`, GET /decisions). */
  actionId: string;
  outcome: FollowUpOutcome;
  completedAt?: string;
  confirmedBy?: 'answer' | 'read-back';
  error?: ChimeRefusal;
}

export interface CaseDecision {
  action: CaseAction;
  /** For the audit log and moderators. */
  reason: string;
  /** What reporters are told (the outcome notice); never the moderators' reason unless they say so. */
  publicReason?: string;
  actor: Actor;
  decidedAt: string;
  idempotency?: { key: string; requestHash: string };
  /** REDACT / DELETE: the call in Chime, recorded after the decision (record, then act). */
  chime?: CaseChimeAction;
}

export interface CaseHistoryEntry {
  at: string;
  actor: string;
  event: string;
  reason?: string;
  /** Renewals of one claim, or entries folded by `history-compacted`. */
  count?: number;
  lastAt?: string;
}

export interface CaseRecord extends StoredRecord {
  kind: 'CASE';
  caseId: string;
  status: CaseStatus;
  appInstanceArn: string;
  channelArn: string;
  messageId: string;
  sender: { arn: string; name?: string };
  /** The sender's ARN again, top-level: what the queue is filtered on. */
  senderArn: string;
  message: MessageSnapshot;
  /** When Chime was last read for it, and when what it read last differed from before. */
  messageReadAt: string;
  messageChangedAt?: string;
  reporterCount: number;
  /** The reporters counted last (TALLIED_KEPT), by ARN. */
  tallied: string[];
  /** Older records: a digest of every reporter counted (no longer written). */
  reporterKeys?: string[];
  reportersCapped?: boolean;
  /** The first reporters (MAX_LISTED_REPORTERS); every report is its own item. */
  reporters: CaseReporter[];
  /** Distinct reporters by category. */
  categories: Partial<Record<ReportCategory, number>>;
  /** Σ of the reporters' accuracy (src/reports/scoring.ts). */
  weight: number;
  maxSeverity: number;
  priority: number;
  /** Auto-hidden (policy `reports.autoHide`): first in every order. */
  urgent: boolean;
  firstReportAt: string;
  lastReportAt: string;
  /** The SLA target: the first report plus the shortest SLA of the categories. */
  dueAt: string;
  slaSeconds: number;
  recentReports: string[];
  claim?: CaseClaim;
  decision?: CaseDecision;
  autoHide?: CaseChimeAction & { at: string; reporters: number; withinSeconds: number };
  /**
   * When the decision's consequences were all carried out (reporters' records, the strike, the
   * outcome notices): absent while they are owed, so the next request on the case finishes them.
   */
  settledAt?: string;
  history: CaseHistoryEntry[];
  /** Where the case stands in the deadline order: computed, and stored on its DUE entry, not on the case. */
  queueKey: string;
  queueSort: string;
}

/** The case's entry in the priority order (PRIORITY) or the deadline order (DUE): the fields the queue filters on, and the case version it mirrors. */
export interface PriorityEntry extends StoredRecord {
  kind: 'CASE_PRIORITY' | 'CASE_DUE';
  caseId: string;
  caseVersion: number;
  status: CaseStatus;
  channelArn: string;
  senderArn: string;
  categories: Partial<Record<ReportCategory, number>>;
  queueKey: string;
  queueSort: string;
}

export interface ReportRecord extends StoredRecord {
  kind: 'REPORT';
  reportId: string;
  caseId: string;
  channelArn: string;
  messageId: string;
  reporterArn: string;
  category: ReportCategory;
  note?: string;
  at: string;
  /** The token that made it: the member's own, or a service's acting for them. */
  by: { subject: string; onBehalf: boolean };
  /** The reporter's accuracy when they reported. */
  accuracy: number;
  /** Counted on its case (until then it waits in `CASES#TALLY#<shard>`). */
  tallied?: boolean;
  /** Its case's outcome counted on the reporter's record (exactly once per report). */
  outcomeCounted?: boolean;
  /** Its case's consequences for this report all carried out (the record, the notice). */
  outcomeSettledAt?: string;
}

export interface ReporterRecord extends StoredRecord {
  kind: 'REPORTER';
  memberArn: string;
  upheld: number;
  dismissed: number;
  /** Reports made, all time. */
  reports: number;
  /** Their latest reports, for the rate limits (only what the longest window needs). */
  recent: Array<{ at: string; caseId: string }>;
  /** Reports whose outcome this record counted last (`settledRefOf`, the newest SETTLED_KEPT). */
  settled: string[];
}

/** MEMBER#<reporter> / REPORTED#<iso>#<caseId>: a report they made. */
export interface ReportedPointer extends StoredRecord {
  kind: 'REPORTED';
  caseId: string;
  reportId: string;
  channelArn: string;
  messageId: string;
  category: ReportCategory;
  note?: string;
  at: string;
}

/** MEMBER#<sender> / CASE#<caseId>: a case about a message they sent (what the senders room lists). */
export interface SenderCasePointer extends StoredRecord {
  kind: 'SENDER_CASE';
  caseId: string;
  channelArn: string;
  messageId: string;
  firstReportAt: string;
}

// ─── Cases ──────────────────────────────────────────────────────────────────────────────────

export interface CountedReport {
  reporterArn: string;
  category: ReportCategory;
  at: string;
  accuracy: number;
}

/** A case's queue keys for its status and figures. */
export function queueKeysOf(c: Pick<CaseRecord, 'caseId' | 'status' | 'urgent' | 'dueAt'>): { queueKey: string; queueSort: string } {
  return { queueKey: deadlineQueueKey(c.status, caseShardOf(c.caseId)), queueSort: deadlineSort(c) };
}

/** The priority entry a case should have. */
export function priorityEntryOf(c: CaseRecord): Omit<PriorityEntry, 'version' | 'lastWriteId'> {
  return {
    ...priorityKey(c.caseId),
    kind: 'CASE_PRIORITY',
    caseId: c.caseId,
    caseVersion: c.version,
    status: c.status,
    channelArn: c.channelArn,
    senderArn: c.senderArn,
    categories: c.categories,
    queueKey: priorityQueueKey(c.status, caseShardOf(c.caseId)),
    queueSort: prioritySort(c),
    // Goes when its case goes (a decided case's retention).
    ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
  };
}

/** The entry a case should have in the deadline order. */
export function dueEntryOf(c: CaseRecord): Omit<PriorityEntry, 'version' | 'lastWriteId'> {
  return { ...priorityEntryOf(c), ...dueKey(c.caseId), kind: 'CASE_DUE', ...queueKeysOf(c) };
}

/** The case a message's first report opens. */
export function openCase(input: {
  caseId: string;
  appInstanceArn: string;
  channelArn: string;
  messageId: string;
  sender: { arn: string; name?: string };
  message: MessageSnapshot;
  report: CountedReport;
  policy: CommunityPolicy;
}): Omit<CaseRecord, 'version' | 'lastWriteId'> {
  const { report, policy } = input;
  const severity = maxSeverity([report.category], policy);
  const base = {
    ...caseKey(input.caseId),
    kind: 'CASE' as const,
    caseId: input.caseId,
    status: 'OPEN' as const,
    appInstanceArn: input.appInstanceArn,
    channelArn: input.channelArn,
    messageId: input.messageId,
    sender: input.sender,
    senderArn: input.sender.arn,
    message: input.message,
    messageReadAt: report.at,
    reporterCount: 1,
    tallied: [report.reporterArn],
    reporters: [{ arn: report.reporterArn, category: report.category, at: report.at, accuracy: report.accuracy }],
    categories: { [report.category]: 1 },
    weight: report.accuracy,
    maxSeverity: severity,
    priority: casePriority({ severity, weight: report.accuracy }),
    urgent: false,
    firstReportAt: report.at,
    lastReportAt: report.at,
    dueAt: slaDueAt(report.at, [report.category], policy),
    slaSeconds: categorySettings(policy, report.category).slaSeconds,
    recentReports: [report.at],
    history: [{ at: report.at, actor: 'reports', event: 'opened', reason: `first report: ${report.category}` }],
  };
  return { ...base, ...queueKeysOf(base) };
}

const sameMessage = (a: MessageSnapshot, b: MessageSnapshot) =>
  a.content === b.content && a.metadata === b.metadata && a.lastEditedTimestamp === b.lastEditedTimestamp;

/**
 * The case with one more report counted, or undefined when this reporter is counted already (a
 * repeat, two requests at once, a retry after a lost answer). `message` is what Chime holds now:
 * it replaces the snapshot when it differs (an edit since the first report).
 *
 * A report joins the case whatever its status: a report made while the case is being decided, or
 * after, is counted on the decided case (a moderator sees the count grow) and opens nothing new.
 */
export function withReport(c: CaseRecord, report: CountedReport, message: MessageSnapshot | undefined, policy: CommunityPolicy, nowIso: string): CaseRecord | undefined {
  const tallied = c.tallied ?? [];
  if (tallied.includes(report.reporterArn)) return undefined;
  let next: CaseRecord = { ...c, lastReportAt: report.at > c.lastReportAt ? report.at : c.lastReportAt, messageReadAt: nowIso };
  if (message && !sameMessage(c.message, message)) {
    next = { ...next, message, messageChangedAt: nowIso, history: withHistory(c.history, { at: nowIso, actor: 'reports', event: 'message-changed', reason: 'Chime holds another version of the message than at the first report' }) };
  }
  const categories = { ...c.categories, [report.category]: (c.categories[report.category] ?? 0) + 1 };
  const present = Object.keys(categories) as ReportCategory[];
  const weight = c.weight + report.accuracy;
  const severity = Math.max(c.maxSeverity, maxSeverity([report.category], policy));
  next = {
    ...next,
    reporterCount: c.reporterCount + 1,
    tallied: [...tallied, report.reporterArn].slice(-TALLIED_KEPT),
    reporters: c.reporters.length < MAX_LISTED_REPORTERS ? [...c.reporters, { arn: report.reporterArn, category: report.category, at: report.at, accuracy: report.accuracy }] : c.reporters,
    categories,
    weight,
    maxSeverity: severity,
    priority: casePriority({ severity, weight }),
    dueAt: slaDueAt(c.firstReportAt, present, policy, c.dueAt),
    slaSeconds: Math.min(c.slaSeconds, categorySettings(policy, report.category).slaSeconds),
    recentReports: [...c.recentReports, report.at].sort().slice(-RECENT_REPORTS_KEPT),
  };
  return { ...next, ...queueKeysOf(next) };
}

/** The reporters `next` no longer remembers having counted: their reports must be flagged `tallied` before `next` is written. */
export const evictedTallies = (before: Pick<CaseRecord, 'tallied'>, next: Pick<CaseRecord, 'tallied'>): string[] => (before.tallied ?? []).filter((arn) => !next.tallied.includes(arn));

/** Distinct reporters within the last `withinSeconds` (the auto-hide threshold), from the kept report times. */
export const reportersWithin = (c: Pick<CaseRecord, 'recentReports'>, withinSeconds: number, nowMs: number): number =>
  c.recentReports.filter((at) => Date.parse(at) > nowMs - withinSeconds * 1000).length;

/**
 * Whether the policy's auto-hide threshold is met now (and the case was not hidden yet). Off
 * unless the policy sets `reports.autoHide`.
 */
export function autoHideDue(c: CaseRecord, policy: CommunityPolicy, nowMs: number): boolean {
  const rule = policy.reports.autoHide;
  if (!rule || c.autoHide || c.status !== 'OPEN') return false;
  return reportersWithin(c, rule.withinSeconds, nowMs) >= rule.reporters;
}

/** The case marked urgent, with its auto-hide asked for (REQUESTED: record, then act). */
export function withAutoHide(c: CaseRecord, actionId: string, policy: CommunityPolicy, nowIso: string): CaseRecord {
  const rule = policy.reports.autoHide!;
  const next: CaseRecord = {
    ...c,
    urgent: true,
    autoHide: { actionId, outcome: 'REQUESTED', at: nowIso, reporters: rule.reporters, withinSeconds: rule.withinSeconds },
    history: withHistory(c.history, { at: nowIso, actor: 'auto-hide', event: 'auto-hide', reason: `${rule.reporters} members reported it within ${rule.withinSeconds} s: redacted at once` }),
  };
  return { ...next, ...queueKeysOf(next) };
}

// ─── Claims and decisions ─────────────────────────────────────────────────────────────────────

export const isClaimActive = (claim: CaseClaim | undefined, nowMs: number): claim is CaseClaim => claim !== undefined && Date.parse(claim.until) > nowMs;

const who = (actor: Actor) => actor.name ?? actor.id;

export function alreadyDecided(c: CaseRecord): PeopleConflictError {
  const d = c.decision!;
  return new PeopleConflictError('already-decided', `${who(d.actor)} already decided ${d.action} at ${d.decidedAt}; the case is ${c.status}. Nothing was changed.`, {
    caseId: c.caseId,
    caseStatus: c.status,
    decidedBy: d.actor,
    action: d.action,
    decidedAt: d.decidedAt,
    reason: d.reason,
  });
}

export function claimConflict(c: CaseRecord, claim: CaseClaim): PeopleConflictError {
  return new PeopleConflictError('claim-conflict', `${claim.username ?? claim.subject} holds the claim on case ${c.caseId} until ${claim.until}. Pick another case, or wait for the lease to run out.`, {
    caseId: c.caseId,
    claimedBy: { subject: claim.subject, ...(claim.username !== undefined ? { username: claim.username } : {}) },
    until: claim.until,
  });
}

export function versionConflict(c: CaseRecord, expectedVersion: number): PeopleConflictError {
  return new PeopleConflictError('version-conflict', `Case ${c.caseId} is at version ${c.version}, not ${expectedVersion}. Re-read it (GET /cases/${c.caseId}) and decide again.`, {
    caseId: c.caseId,
    expectedVersion,
    currentVersion: c.version,
  });
}

/**
 * Why `subject` may not decide (or claim) the case now, or undefined. Used before a write, and
 * after a lost one on the case as it is now, to say who won: a decision trumps a claim, a claim
 * trumps a version.
 */
export function caseObstacle(c: CaseRecord, subject: string, nowMs: number, expectedVersion?: number): PeopleConflictError | undefined {
  if (c.decision) return alreadyDecided(c);
  if (isClaimActive(c.claim, nowMs) && c.claim.subject !== subject) return claimConflict(c, c.claim);
  if (expectedVersion !== undefined && c.version !== expectedVersion) return versionConflict(c, expectedVersion);
  return undefined;
}

/** The case claimed by `who` for `leaseSeconds` (a renewal by the holder extends it and bumps its one history entry). */
export function withClaim(c: CaseRecord, by: { subject: string; username?: string }, nowMs: number, leaseSeconds: number): CaseRecord {
  const at = new Date(nowMs).toISOString();
  const until = new Date(nowMs + leaseSeconds * 1000).toISOString();
  const extending = isClaimActive(c.claim, nowMs) && c.claim.subject === by.subject;
  const claim: CaseClaim = { subject: by.subject, ...(by.username !== undefined ? { username: by.username } : {}), until, claimedAt: extending ? c.claim!.claimedAt : at };
  return { ...c, claim, history: withHistory(c.history, { at, actor: by.username ?? by.subject, event: 'claimed', reason: `until ${until}` }) };
}

export function withoutClaim(c: CaseRecord, actor: string, nowMs: number, reason?: string): CaseRecord {
  const { claim: _claim, ...rest } = c;
  return { ...rest, history: withHistory(c.history, { at: new Date(nowMs).toISOString(), actor, event: 'released', ...(reason !== undefined ? { reason } : {}) }) } as CaseRecord;
}

/** The case decided: its status, queue and TTL move; the claim is given up; its consequences are owed (`settledAt` absent). */
export function withDecision(c: CaseRecord, decision: CaseDecision, expiresAt: number): CaseRecord {
  const { claim: _claim, ...rest } = c;
  const next: CaseRecord = {
    ...(rest as CaseRecord),
    status: decision.action === 'DISMISS' ? 'DISMISSED' : 'ACTIONED',
    decision,
    expiresAt,
    history: withHistory(c.history, { at: decision.decidedAt, actor: who(decision.actor), event: 'decided', reason: `${decision.action}: ${decision.reason}` }),
  };
  return { ...next, ...queueKeysOf(next) };
}

/**
 * A history entry added, bounded: a holder renewing their claim bumps their `claimed` entry; past
 * MAX_CASE_HISTORY the oldest entries after the first are folded into one `history-compacted` count.
 */
export function withHistory(history: readonly CaseHistoryEntry[], entry: CaseHistoryEntry): CaseHistoryEntry[] {
  const last = history[history.length - 1];
  const reason = entry.reason !== undefined && entry.reason.length > 500 ? `${entry.reason.slice(0, 499)}…` : entry.reason;
  const bounded = { ...entry, ...(reason !== undefined ? { reason } : {}) };
  if (last && entry.event === 'claimed' && last.event === 'claimed' && last.actor === entry.actor) {
    return [...history.slice(0, -1), { ...last, count: (last.count ?? 1) + 1, lastAt: entry.at, ...(reason !== undefined ? { reason } : {}) }];
  }
  const all = [...history, bounded];
  if (all.length <= MAX_CASE_HISTORY) return all;
  const [first, ...others] = all;
  const folded = others.slice(0, others.length - (MAX_CASE_HISTORY - 2));
  const previous = folded[0]?.event === 'history-compacted' ? (folded[0].count ?? 0) - 1 : 0;
  const compacted: CaseHistoryEntry = { at: folded[0]!.at, lastAt: folded[folded.length - 1]!.at, actor: 'reports', event: 'history-compacted', count: folded.length + previous };
  return [first!, compacted, ...others.slice(folded.length)];
}

// ─── Reporters ──────────────────────────────────────────────────────────────────────────────

export const newReporter = (memberArn: string): Omit<ReporterRecord, 'version' | 'lastWriteId'> => ({
  ...reporterRecordKey(memberArn),
  kind: 'REPORTER',
  memberArn,
  upheld: 0,
  dismissed: 0,
  reports: 0,
  recent: [],
  settled: [],
});

/**
 * The first of the policy's rate limits this reporter is over (at most `max` reports within
 * `withinSeconds`, each limit on its own), with how long until a report would be taken; undefined
 * when a report may be made now.
 */
export function rateLimitFor(reporter: Pick<ReporterRecord, 'recent'> | undefined, limits: CommunityPolicy['reports']['rateLimits'], nowMs: number): { limit: { max: number; withinSeconds: number }; retryAfterSeconds: number } | undefined {
  let worst: { limit: { max: number; withinSeconds: number }; retryAfterSeconds: number } | undefined;
  for (const limit of limits) {
    const inWindow = (reporter?.recent ?? []).map((r) => Date.parse(r.at)).filter((t) => t > nowMs - limit.withinSeconds * 1000).sort((a, b) => a - b);
    if (inWindow.length < limit.max) continue;
    // The window frees a place when its (length - max + 1)th oldest report leaves it.
    const leaves = inWindow[inWindow.length - limit.max]! + limit.withinSeconds * 1000;
    const retryAfterSeconds = Math.max(1, Math.ceil((leaves - nowMs) / 1000));
    if (!worst || retryAfterSeconds > worst.retryAfterSeconds) worst = { limit, retryAfterSeconds };
  }
  return worst;
}

/** The reporter's record with a report of `caseId` counted against the limits (once: a retry finds it there). */
export function withReportMade(reporter: ReporterRecord, at: string, caseId: string, limits: CommunityPolicy['reports']['rateLimits'], nowMs: number): ReporterRecord | undefined {
  if (reporter.recent.some((r) => r.caseId === caseId)) return undefined;
  const longest = Math.max(0, ...limits.map((l) => l.withinSeconds));
  const most = Math.max(1, ...limits.map((l) => l.max));
  const recent = [...reporter.recent, { at, caseId }]
    .filter((r) => Date.parse(r.at) > nowMs - longest * 1000)
    .sort((a, b) => (a.at < b.at ? -1 : 1))
    .slice(-most);
  return { ...reporter, reports: reporter.reports + 1, recent };
}

/**
 * The reporter's record with one report's outcome counted (undefined: counted already). `ref` is
 * the report's `settledRefOf`; the entries that fall out of the bounded memory are `evictedSettled`.
 */
export function withOutcome(reporter: ReporterRecord, ref: string, upheld: boolean): ReporterRecord | undefined {
  if (reporter.settled.includes(ref)) return undefined;
  return {
    ...reporter,
    upheld: reporter.upheld + (upheld ? 1 : 0),
    dismissed: reporter.dismissed + (upheld ? 0 : 1),
    settled: [...reporter.settled, ref].slice(-SETTLED_KEPT),
  };
}

export const evictedSettled = (before: Pick<ReporterRecord, 'settled'>, next: Pick<ReporterRecord, 'settled'>): string[] => before.settled.filter((ref) => !next.settled.includes(ref));
/** A `settledRefOf` split back: the case and the report's time (a case id never holds `#`). */
export const parseSettledRef = (ref: string): { caseId: string; at: string } => ({ caseId: ref.slice(0, ref.indexOf('#')), at: ref.slice(ref.indexOf('#') + 1) });
