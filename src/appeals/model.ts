import { createHash } from 'node:crypto';
import type { StoredRecord } from '../adapters/control-records.js';
import type { Actor, ModerationItem } from '../domain/item.js';
import { decisionKeyOf, type DecisionRef, type StrikeSource } from '../domain/people.js';

/**
 * Appeals (README "Appeals"): a member asks for a second look at a decision that went against
 * them; a moderator other than the one who made it upholds or overturns it. The records, and the
 * rules, as pure functions.
 *
 *   APPEAL#<appealId>  APPEAL   the appeal: the decision appealed (a snapshot), the member's text,
 *                               the moderators' outcome and what it did (`effects`)
 *                      SETTLE   while an outcome's effects are owed: the sweeper's task finishes
 *                               them if the request that decided it died first
 *
 * An appeal's id is derived from the decision it is about, so a decision is appealed once: the
 * create is conditional, and a second appeal finds the first.
 *
 * The queue index holds every appeal under its status, oldest first: `APPEALS#<status>#<shard>`,
 * queueSort `<createdAt>#<appealId>` (GET /appeals). A SETTLE record sits in
 * `APPEALS#SETTLE#<shard>` by the time it is due.
 */

export const APPEAL_STATUSES = ['PENDING', 'UPHELD', 'OVERTURNED'] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];
export const APPEAL_OUTCOMES = ['UPHOLD', 'OVERTURN'] as const;
export type AppealOutcome = (typeof APPEAL_OUTCOMES)[number];

export const APPEAL_SHARDS = 4;
export const APPEAL_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** One appeal per decision: 32 characters of [A-Za-z0-9_-], from the decision's key. */
export const appealIdOf = (ref: DecisionRef): string => createHash('sha256').update(`appeal\u0000${decisionKeyOf(ref)}`).digest('base64url').slice(0, 32);
export const appealKey = (appealId: string) => ({ pk: `APPEAL#${appealId}`, sk: 'APPEAL' });
export const settleKey = (appealId: string) => ({ pk: `APPEAL#${appealId}`, sk: 'SETTLE' });
export const appealShardOf = (appealId: string): number => appealId.charCodeAt(0) % APPEAL_SHARDS;
export const appealQueueKey = (status: AppealStatus | 'SETTLE', shard: number) => `APPEALS#${status}#${shard}`;
export const appealQueueSort = (createdAt: string, appealId: string) => `${createdAt}#${appealId}`;

/** What was decided, frozen when the appeal is made (the item or case may change, or expire, before it is heard). */
export interface AppealedDecision {
  ref: DecisionRef;
  channelArn: string;
  messageId: string;
  /** The member the decision was about: the message's sender. */
  memberArn: string;
  senderName?: string;
  /** DENY / UPDATE (a held message), REDACT / DELETE / DISMISS (a case). */
  action: string;
  /** AUTO, MODERATOR, EXPIRY (a held message) or CASE (a moderator's decision of a report case). */
  origin: 'AUTO' | 'MODERATOR' | 'EXPIRY' | 'CASE';
  decidedBy: Actor;
  decidedAt: string;
  /** The audit log's reason (moderators see it; the member does not). */
  reason: string;
  ruleIds: string[];
  /** The message as its sender wrote it (what an overturned DENY allows again). */
  message: { content: string; metadata?: string };
  /** A case with a ban of the sender (a restriction it caused). */
  banned?: boolean;
}

/** One consequence of an outcome, recorded on the appeal once done (or found to be nothing to do). */
export interface EffectOutcome {
  status: 'DONE' | 'NONE' | 'FAILED';
  at: string;
  detail?: string;
}

export interface AppealEffects {
  /** The audit log's record (GET /decisions): REQUESTED when the outcome is recorded, DONE once settled. */
  audit?: EffectOutcome & { actionId: string };
  /** An overturned DENY or UPDATE of a message: its exact content allowed for its sender in its channel. */
  allowance?: EffectOutcome & { until?: string };
  /** An overturned decision's restrictions (a case's ban, an escalation its strike reached) lifted. */
  restrictions?: EffectOutcome & { lifted?: string[] };
  /** An overturned decision's strike removed. */
  strike?: EffectOutcome & { removed?: boolean };
  /** The member told the outcome (an `appealOutcome` notice). */
  notice?: EffectOutcome;
}

export interface AppealDecision {
  outcome: AppealOutcome;
  reason: string;
  actor: Actor;
  decidedAt: string;
  idempotency?: { key: string; requestHash: string };
}

export interface AppealRecord extends StoredRecord {
  kind: 'APPEAL';
  appealId: string;
  status: AppealStatus;
  appellant: { memberArn: string; onBehalf: boolean; subject: string };
  text: string;
  createdAt: string;
  /** When the policy's window for appealing this decision closed (it was open when the appeal came). */
  windowClosedAt: string;
  appealed: AppealedDecision;
  /** The member's Idempotency-Key and a digest of their request: the same request again is answered with this appeal. */
  idempotency?: { key: string; requestHash: string };
  decision?: AppealDecision;
  effects?: AppealEffects;
  /** When every effect of the outcome was done (absent while some are owed). */
  settledAt?: string;
  history: Array<{ at: string; actor: string; event: string; detail?: string }>;
  queueKey: string;
  queueSort: string;
}

export interface SettleRecord extends StoredRecord {
  kind: 'APPEAL_SETTLE';
  appealId: string;
  createdAt: string;
  dueAt: string;
}

// ─── Rules (pure) ──────────────────────────────────────────────────────────────────────────

/**
 * Why a decision cannot be appealed, or undefined when it can. Only a decision that took effect
 * and went against the member is: a held message DELIVERED as DENY or UPDATE; a case decided
 * REDACT or DELETE whose action Chime confirmed, or one with a ban.
 */
export type Unappealable = { why: 'undecided' | 'being-delivered' | 'not-against' | 'not-effective'; detail: string };

export function appealabilityOfItem(item: Pick<ModerationItem, 'status' | 'decision'>): Unappealable | undefined {
  const decision = item.decision;
  if (!decision || item.status === 'RECEIVED' || item.status === 'PENDING_REVIEW') return { why: 'undecided', detail: 'The message has not been decided yet: there is nothing to appeal.' };
  if (item.status === 'DECIDED') {
    return { why: 'being-delivered', detail: 'The decision is still being delivered to Chime; it can be appealed once it has taken effect. Try again in a minute.' };
  }
  if (item.status !== 'DELIVERED') return { why: 'not-effective', detail: `The decision never took effect (the message ended ${item.status}): there is nothing to appeal.` };
  if (decision.action === 'ALLOW') return { why: 'not-against', detail: 'The message was sent as written: there is nothing to appeal.' };
  return undefined;
}

/** A case's decision as the reports room records it (src/reports/model.ts CaseRecord), as far as appeals read it. */
export interface CaseDecisionView {
  status: string;
  decision?: { action: string; actor: Actor; decidedAt: string; reason: string; chime?: { outcome: string } };
  banned: boolean;
}

export function appealabilityOfCase(record: CaseDecisionView): Unappealable | undefined {
  const decision = record.decision;
  if (!decision) return { why: 'undecided', detail: 'The case has not been decided yet: there is nothing to appeal.' };
  if (decision.action === 'REDACT' || decision.action === 'DELETE') {
    if (decision.chime?.outcome === 'DONE' || record.banned) return undefined;
    if (decision.chime?.outcome === 'FAILED') return { why: 'not-effective', detail: `The case's ${decision.action} never took effect in Chime: there is nothing to appeal.` };
    return { why: 'being-delivered', detail: `The case's ${decision.action} is still being carried out in Chime; it can be appealed once it has taken effect. Try again in a minute.` };
  }
  if (record.banned) return undefined;
  return { why: 'not-against', detail: 'The case was dismissed and nothing was done to you: there is nothing to appeal.' };
}

/** When the window to appeal a decision made at `decidedAt` closes (policy `appeals.window`). */
export const windowClosesAt = (decidedAt: string, windowSeconds: number): string => new Date(Date.parse(decidedAt) + windowSeconds * 1000).toISOString();

/** Is the window still open at `nowMs`? It closes at its end, exclusive. */
export const isWindowOpen = (decidedAt: string, windowSeconds: number, nowMs: number): boolean => nowMs < Date.parse(decidedAt) + windowSeconds * 1000;

/** The strike the appealed decision carried, as the strike ledger names it (removal finds nothing when there was none). */
export function strikeSourceOf(appealed: Pick<AppealedDecision, 'ref' | 'origin' | 'ruleIds'>): StrikeSource {
  if (appealed.ref.kind === 'case') return { kind: 'report', caseId: appealed.ref.caseId };
  return appealed.origin === 'MODERATOR' ? { kind: 'moderator', callbackId: appealed.ref.callbackId } : { kind: 'rule', callbackId: appealed.ref.callbackId, ruleIds: appealed.ruleIds };
}

/** Who may not decide the appeal: whoever made the decision appealed (the policy and the sweeper are nobody). */
export function originalDecider(appealed: Pick<AppealedDecision, 'origin' | 'decidedBy'>): string | undefined {
  return appealed.origin === 'MODERATOR' || appealed.origin === 'CASE' ? appealed.decidedBy.id : undefined;
}

/** Every effect an outcome has: done or nothing to do (FAILED ones are tried again). */
export function isSettled(effects: AppealEffects | undefined, outcome: AppealOutcome): boolean {
  const needed: Array<keyof AppealEffects> = outcome === 'OVERTURN' ? ['audit', 'allowance', 'restrictions', 'strike', 'notice'] : ['audit', 'notice'];
  return needed.every((name) => effects?.[name] !== undefined && effects[name]!.status !== 'FAILED');
}
