import { formatClock, formatDuration, urgencyOf, type ClockOptions, type Urgency } from './time.js';

/**
 * The Failed view's logic, pure so it is unit-tested: a FAILED item's window in words, what was
 * decided and by whom, the POST /operations/redeliver loop ("Re-deliver all", as
 * scripts/redeliver.ts runs it), and the per-item outcomes summed up.
 *
 * A FAILED item is one Chime refused while it still waits in its window (a missing
 * chime:ChannelFlowCallback grant, say); re-delivering sends the decision it recorded, never a
 * new one (src/operations/redeliver.ts).
 */

export type RedeliverOutcome = 'DELIVERED' | 'FAILED' | 'ALREADY_RESOLVED' | 'EXPIRED' | 'QUEUED' | 'SKIPPED' | 'NOT_ATTEMPTED';

export interface RedeliverItemResult {
  callbackId: string;
  outcome: RedeliverOutcome;
  reason?: string | undefined;
  /** The item as it now is, when the API read it (ReviewDetail). */
  item?: { message: { content: string; sender: { arn: string; name?: string | undefined }; channelArn: string; channelName?: string | undefined }; decision?: { action: string } | null } | undefined;
}

export interface RedeliverAnswer<R extends RedeliverItemResult = RedeliverItemResult> {
  results: R[];
  more: boolean;
  /** Where the listing stopped: the next call goes on from there (`cursor`). */
  next?: string | undefined;
}

/** What the API took in one call of "Re-deliver all" (the default of POST /operations/redeliver, and what the script sends). */
export const REDELIVER_BATCH = 25;
/** A bound on the loop, whatever the API answers. */
export const MAX_REDELIVER_CALLS = 40;

export interface RedeliverRun<R extends RedeliverItemResult = RedeliverItemResult> {
  /** The last result for each item, in the order the items first appeared. */
  results: R[];
  /** Calls made. */
  calls: number;
  /** The API still had FAILED items it did not take when the loop stopped. */
  left: boolean;
  /** What a call threw, if one did (the results before it are kept). */
  error?: unknown;
}

/**
 * "Re-deliver all": POST { status: 'FAILED' } again, from where the last call's listing stopped
 * (its `next`), while the API says there is more and the last call moved something. An item
 * that fails again stays behind the cursor, and a call that only repeats items already reported
 * moves nothing: the loop stops there rather than go round forever.
 */
export async function redeliverAll<R extends RedeliverItemResult>(post: (cursor?: string) => Promise<RedeliverAnswer<R>>, maxCalls = MAX_REDELIVER_CALLS): Promise<RedeliverRun<R>> {
  const latest = new Map<string, R>();
  let calls = 0;
  let left = false;
  let cursor: string | undefined;
  while (calls < maxCalls) {
    let answer: RedeliverAnswer<R>;
    try {
      answer = await post(cursor);
    } catch (error) {
      return { results: [...latest.values()], calls, left: true, error };
    }
    calls += 1;
    let moved = false;
    for (const result of answer.results) {
      const before = latest.get(result.callbackId);
      if (result.outcome !== 'NOT_ATTEMPTED' && (!before || before.outcome === 'NOT_ATTEMPTED')) moved = true;
      latest.set(result.callbackId, result);
    }
    left = answer.more;
    cursor = answer.next;
    if (!answer.more || !moved) break;
  }
  return { results: [...latest.values()], calls, left };
}

export type OutcomeTone = 'ok' | 'pending' | 'bad';

/** How each outcome reads, and whether it is good news. */
export const OUTCOME_LABELS: Record<RedeliverOutcome, { label: string; tone: OutcomeTone }> = {
  DELIVERED: { label: 'Delivered', tone: 'ok' },
  ALREADY_RESOLVED: { label: 'Already resolved', tone: 'ok' },
  QUEUED: { label: 'Queued', tone: 'pending' },
  NOT_ATTEMPTED: { label: 'Not attempted', tone: 'pending' },
  SKIPPED: { label: 'Skipped', tone: 'pending' },
  FAILED: { label: 'Failed again', tone: 'bad' },
  EXPIRED: { label: 'Expired', tone: 'bad' },
};

/** One item's outcome in a sentence: "Delivered: Chime took the recorded DENY." */
export function outcomeSentence(result: RedeliverItemResult): string {
  const { label } = OUTCOME_LABELS[result.outcome] ?? { label: result.outcome };
  const action = result.item?.decision?.action;
  switch (result.outcome) {
    case 'DELIVERED':
      return `${label}: Chime took the recorded ${action ?? 'decision'}.`;
    case 'ALREADY_RESOLVED':
      return `${label}: Chime had settled this message already, not by this callback; nothing more to do.`;
    case 'EXPIRED':
      return `${label}: its window closed before Chime took the decision.${result.reason ? ` ${result.reason}.` : ''}`;
    case 'FAILED':
      return `${label}: ${result.reason ?? 'Chime refused it again'}.`;
    case 'QUEUED':
      return `${label}: ${result.reason ?? 'Chime did not take it now; the workers retry it'}.`;
    case 'NOT_ATTEMPTED':
      return `${label}: ${result.reason ?? 'the request ran out of time; it is still FAILED'}.`;
    case 'SKIPPED':
      return `${label}: ${result.reason ?? 'not taken'}.`;
    default:
      return `${label}${result.reason ? `: ${result.reason}` : ''}.`;
  }
}

const ORDER: RedeliverOutcome[] = ['DELIVERED', 'ALREADY_RESOLVED', 'QUEUED', 'FAILED', 'EXPIRED', 'SKIPPED', 'NOT_ATTEMPTED'];

export interface RedeliverySummary {
  /** How many of each outcome, in a fixed order, zeros left out. */
  counts: Array<{ outcome: RedeliverOutcome; count: number }>;
  total: number;
  /** Every item delivered (or already settled in Chime). */
  allGood: boolean;
  /** "3 of 3 delivered", "1 of 2 delivered · 1 failed again", "Nothing to re-deliver". */
  title: string;
  /** What to do next, when something is left. */
  advice?: string | undefined;
}

/** A run's results summed up, with what is left to do. */
export function summarise(results: readonly RedeliverItemResult[], options: { left?: boolean } = {}): RedeliverySummary {
  const tally = new Map<RedeliverOutcome, number>();
  for (const r of results) tally.set(r.outcome, (tally.get(r.outcome) ?? 0) + 1);
  const counts = ORDER.filter((o) => tally.has(o)).map((outcome) => ({ outcome, count: tally.get(outcome)! }));
  const total = results.length;
  const delivered = tally.get('DELIVERED') ?? 0;
  const allGood = total > 0 && results.every((r) => OUTCOME_LABELS[r.outcome]?.tone === 'ok');
  let title: string;
  if (total === 0) title = 'Nothing to re-deliver: no FAILED message is in its window.';
  else {
    const others = counts.filter((c) => c.outcome !== 'DELIVERED').map((c) => `${c.count} ${OUTCOME_LABELS[c.outcome].label.toLowerCase()}`);
    title = [`${delivered} of ${total} delivered`, ...others].join(' · ');
  }
  const advice: string[] = [];
  if (tally.has('FAILED')) advice.push('Chime still refuses: check the cause (for a 403, the execution role’s chime:ChannelFlowCallback grant), then re-deliver again.');
  if (tally.has('NOT_ATTEMPTED') || options.left) advice.push('Some FAILED messages were not reached: they are still FAILED and listed below; re-deliver again.');
  if (tally.has('QUEUED')) advice.push('Queued ones are delivered by the workers shortly; they leave this list once Chime takes them.');
  return { counts, total, allGood, title, ...(advice.length ? { advice: advice.join(' ') } : {}) };
}

export interface WindowText {
  urgency: Urgency;
  /** "window closes at 14:05" */
  headline: string;
  /** "in 47h 12m", or "closed". */
  remaining: string;
  /** One sentence for screen readers and titles. */
  sentence: string;
}

/** A FAILED item's callback window (until Chime's deadline): how long re-delivering can still work. */
export function windowText(msLeft: number, deadlineIso: string, clock: ClockOptions): WindowText {
  const urgency = urgencyOf(msLeft);
  const at = formatClock(deadlineIso, clock);
  if (urgency === 'overdue') {
    return { urgency, headline: `window closed at ${at}`, remaining: 'too late to re-deliver', sentence: `Chime's window for this message closed at ${at}: it no longer takes a callback for it.` };
  }
  return {
    urgency,
    headline: `window closes at ${at}`,
    remaining: `in ${formatDuration(msLeft)}`,
    sentence: `Chime takes a callback for this message until ${at}, in ${formatDuration(msLeft)}: re-deliver before then.`,
  };
}

export interface DecisionLike {
  action: string;
  origin: string;
  actor: { id: string; name?: string | undefined };
  reason: string;
  decidedAt: string;
}

/** Who decided: "alice", "the automatic policy", "the sweeper (expiry policy)". */
export function decider(decision: Pick<DecisionLike, 'origin' | 'actor'>): string {
  return decision.origin === 'AUTO' ? 'the automatic policy' : decision.origin === 'EXPIRY' ? 'the sweeper (expiry policy)' : decision.actor.name || decision.actor.id;
}

/** "DENY by alice", "ALLOW by the automatic policy". */
export const decidedBy = (decision: Pick<DecisionLike, 'action' | 'origin' | 'actor'>): string => `${decision.action} by ${decider(decision)}`;
