import type { z } from 'zod';
import { isAnnounced } from '../domain/people.js';
import { RecordConditionError } from '../adapters/control-records.js';
import { DAY_MS, retentionExpiry } from '../domain/deadline.js';
import { FOLLOW_UP_PREFIX, type FollowUpRecord } from '../domain/follow-up.js';
import type { Actor } from '../domain/item.js';
import { FollowUpRecordError, FourEyesError, IdempotencyKeyReusedError, PeopleConflictError, PeopleNotFoundError } from '../errors.js';
import { requestFingerprint } from '../http/idempotency.js';
import type { Principal } from '../http/principal.js';
import { DEFAULT_COMMUNITY_POLICY } from '../policy/community.js';
import { contentHash } from '../worker/sender-gate.js';
import type { AppealDeps } from './deps.js';
import { isSettled, originalDecider, strikeSourceOf, type AppealDecision, type AppealEffects, type AppealRecord, type EffectOutcome } from './model.js';
import type { Appeal } from './responses.js';
import type { AppealDecisionRequest } from './schemas.js';
import { toAppeal } from './views.js';

/**
 * A moderator's outcome of an appeal, and what it does:
 *
 *   decided already ── the same request, the same moderator and Idempotency-Key ──▶ 200, that
 *        │                                     outcome (its owed effects finished first)
 *        │          ── anyone else ──▶ 409 already-decided, saying who decided what, when
 *   the moderator made the decision appealed ──▶ 403 four-eyes (an AUTO or EXPIRY decision: anyone may)
 *   `expectedVersion` stale ──▶ 409 version-conflict
 *   owed: a SETTLE record (the sweeper's, if this request dies after the next write)
 *   conditional write on the version read: PENDING → UPHELD | OVERTURNED (of two moderators,
 *        │                                  exactly one wins; the other reads who)
 *   the effects, each once, each recorded on the appeal as it is done (settle):
 *        audit      a follow-up action record (APPEAL_UPHOLD | APPEAL_OVERTURN) on the audit index
 *        allowance  OVERTURN of a denied or changed message: the exact content, for its sender in
 *                   its channel, for `appeals.allowance` (the worker's sender gate lets it through)
 *        restrictions  OVERTURN: the restrictions the decision caused, lifted (SenderRestrictions.lift)
 *        strike     OVERTURN: its strike removed (StrikeLedger.remove)
 *        notice     the member told the outcome (an `appealOutcome` notice)
 *   all done ── the audit record DONE, the appeal `settledAt`, the SETTLE record out of the queue
 *
 * Each effect is idempotent where it lands (an allowance by its key, a lift and a removal by the
 * ports' contracts, a notice by its id), so finishing them twice (this request and the sweeper)
 * does each once.
 */

/**
 * A settled appeal is kept RETENTION_DAYS and this much more: it is the "once per decision" guard,
 * and must outlive the window in which its decision could be appealed again.
 */
const KEPT_AFTER_RETENTION_MS = 30 * DAY_MS;

/** When the sweeper first looks at an outcome's effects, if the request that decided it did not finish them. */
export const SETTLE_CHECK_MS = 60_000;

export async function decideAppeal(deps: AppealDeps, principal: Principal, appealId: string, request: AppealDecisionRequest, idempotencyKey?: string): Promise<z.output<typeof Appeal>> {
  const { expectedVersion, ...asked } = request;
  const requestHash = requestFingerprint(asked);
  const current = await deps.appeals.get(appealId);
  if (!current) throw new PeopleNotFoundError('appeal', appealId);
  if (current.decision) return toAppeal(await settle(deps, replayOrRefuse(current, principal, idempotencyKey, requestHash)));

  const decider = originalDecider(current.appealed);
  if (decider !== undefined && decider === principal.subject) {
    throw new FourEyesError(
      'appeal',
      appealId,
      principal.subject,
      `You made the decision this appeal is about (${current.appealed.action} at ${current.appealed.decidedAt}): another moderator must decide the appeal.`,
    );
  }
  const a = current.appealed;
  const caused = await deps.appeals.restrictionsCausedBy(a.memberArn, { ...(a.ref.kind === 'case' ? { caseId: a.ref.caseId } : { callbackId: a.ref.callbackId }), strike: strikeSourceOf(a) });
  if (caused.some((restriction) => restriction.deciders.includes(principal.subject))) {
    throw new FourEyesError('appeal', appealId, principal.subject, 'You asked for or approved a restriction this decision brought: another moderator must decide the appeal.');
  }
  if (expectedVersion !== undefined && expectedVersion !== current.version) throw versionConflict(current, expectedVersion);

  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const decision: AppealDecision = {
    outcome: asked.outcome,
    reason: asked.reason,
    actor: { id: principal.subject, name: principal.username },
    decidedAt: at,
    ...(idempotencyKey !== undefined ? { idempotency: { key: idempotencyKey, requestHash } } : {}),
  };
  // Owed before it is decided: a request that dies after the next write leaves the sweeper a note.
  await deps.appeals.owe(appealId, at, new Date(now + SETTLE_CHECK_MS).toISOString());
  let decided: AppealRecord;
  try {
    decided = await deps.appeals.update(current, {
      status: asked.outcome === 'OVERTURN' ? 'OVERTURNED' : 'UPHELD',
      decision,
      history: [...current.history, { at, actor: principal.username, event: asked.outcome === 'OVERTURN' ? 'overturned' : 'upheld', detail: asked.reason }],
    });
  } catch (error) {
    if (!(error instanceof RecordConditionError) || !error.current) throw error;
    const now = error.current as AppealRecord;
    // Someone decided first (or our own request, sent twice at once with the same key).
    if (now.decision) return toAppeal(await settle(deps, replayOrRefuse(now, principal, idempotencyKey, requestHash)));
    throw versionConflict(now, current.version);
  }
  return toAppeal(await settle(deps, decided));
}

function replayOrRefuse(decided: AppealRecord, principal: Principal, idempotencyKey: string | undefined, requestHash: string): AppealRecord {
  const d = decided.decision!;
  if (idempotencyKey !== undefined && d.idempotency?.key === idempotencyKey && d.actor.id === principal.subject) {
    if (d.idempotency.requestHash !== requestHash) throw new IdempotencyKeyReusedError(idempotencyKey, `${d.outcome} of appeal ${decided.appealId} at ${d.decidedAt}`);
    return decided;
  }
  const who = d.actor.name ?? d.actor.id;
  throw new PeopleConflictError('already-decided', `${who} already decided this appeal (${d.outcome}) at ${d.decidedAt}. Nothing was changed.`, {
    appealId: decided.appealId,
    decidedBy: d.actor,
    outcome: d.outcome,
    decidedAt: d.decidedAt,
  });
}

const versionConflict = (record: AppealRecord, expected: number) =>
  new PeopleConflictError('version-conflict', `The appeal is at version ${record.version}, not ${expected}. Read it again (GET /appeals/${record.appealId}) and decide again.`, {
    appealId: record.appealId,
    expectedVersion: expected,
    currentVersion: record.version,
  });

// ─── The effects ─────────────────────────────────────────────────────────────────────────────

type EffectName = keyof AppealEffects;

/** What settling an outcome uses: the room's deps but the cursors (the sweeper's task has no API). */
export type SettleDeps = Omit<AppealDeps, 'cursors'>;

/**
 * Does the decided appeal's owed effects (those not recorded yet, or FAILED), each recorded on the
 * appeal as it ends, then marks it settled. Never throws for an effect (a failure is recorded
 * FAILED and tried again later); store errors propagate. Returns the appeal as it is afterwards.
 */
export async function settle(deps: SettleDeps, appeal: AppealRecord): Promise<AppealRecord> {
  let current = appeal;
  const decision = current.decision;
  if (!decision || current.settledAt) return current;
  const order: EffectName[] = decision.outcome === 'OVERTURN' ? ['audit', 'allowance', 'restrictions', 'strike', 'notice'] : ['audit', 'notice'];
  for (const name of order) {
    const done = current.effects?.[name];
    if (done && done.status !== 'FAILED') continue;
    const outcome = await runEffect(deps, current, decision, name);
    current = await recordEffect(deps, current, name, outcome);
    if (current.settledAt) return current;
  }
  if (!isSettled(current.effects, decision.outcome)) return current;
  // Every effect done: the audit line says DONE, the appeal says settled, nothing is owed.
  const actionId = current.effects!.audit!.actionId;
  const at = new Date(deps.clock.now()).toISOString();
  try {
    await deps.store.completeFollowUp(actionId, { outcome: 'DONE', completedAt: at });
  } catch (error) {
    // Completed already (a concurrent settle): its outcome stands.
    if (!(error instanceof FollowUpRecordError && error.existing && error.existing.outcome !== 'REQUESTED')) throw error;
  }
  const settled = await write(deps, current, { settledAt: at, expiresAt: retentionExpiry(deps.clock.now() + KEPT_AFTER_RETENTION_MS, deps.retentionDays) });
  await deps.appeals.settled(current.appealId, retentionExpiry(deps.clock.now(), 1));
  return settled;
}

async function runEffect(deps: SettleDeps, appeal: AppealRecord, decision: AppealDecision, name: EffectName): Promise<AppealEffects[EffectName]> {
  const at = () => new Date(deps.clock.now()).toISOString();
  const none = (detail: string): EffectOutcome => ({ status: 'NONE', at: at(), detail });
  const a = appeal.appealed;
  const by: Actor = decision.actor;
  try {
    switch (name) {
      case 'audit': {
        const record = auditRecord(deps, appeal, decision);
        try {
          await deps.store.recordFollowUp(record);
        } catch (error) {
          // Written already (a concurrent settle, or an attempt whose answer was lost): it is there.
          if (!(error instanceof FollowUpRecordError && error.existing)) throw error;
        }
        return { status: 'DONE', at: at(), actionId: record.callbackId };
      }
      case 'allowance': {
        if (a.ref.kind !== 'message' || (a.action !== 'DENY' && a.action !== 'UPDATE')) return none('only a denied or changed message is allowed again');
        if (!deps.allowances) return { status: 'FAILED', at: at(), detail: 'No allowances store is configured' };
        const policy = deps.communityPolicies ? await deps.communityPolicies.forChannel(a.channelArn) : DEFAULT_COMMUNITY_POLICY;
        // From the outcome, not from this attempt: a settle finished later allows no longer.
        const until = new Date(Date.parse(decision.decidedAt) + policy.appeals.allowanceSeconds * 1000).toISOString();
        await deps.allowances.grant({ channelArn: a.channelArn, senderArn: a.memberArn, contentHash: contentHash(a.message.content), appealId: appeal.appealId, until });
        return { status: 'DONE', at: at(), until };
      }
      case 'restrictions': {
        const caused = await deps.appeals.restrictionsCausedBy(a.memberArn, {
          ...(a.ref.kind === 'case' ? { caseId: a.ref.caseId } : { callbackId: a.ref.callbackId }),
          strike: strikeSourceOf(a),
        });
        if (caused.length === 0) return none('the decision caused no restriction that still holds');
        if (!deps.senderRestrictions) return { status: 'FAILED', at: at(), detail: `${caused.length} restriction(s) to lift, and no restrictions service is configured` };
        for (const restriction of caused) await deps.senderRestrictions.lift(restriction.id, by, `Appeal ${appeal.appealId} overturned the decision: ${decision.reason}`);
        return { status: 'DONE', at: at(), lifted: caused.map((r) => r.id) };
      }
      case 'strike': {
        if (!deps.strikeLedger) return none('no strike ledger is configured');
        const removed = await deps.strikeLedger.remove(strikeSourceOf(a), by, appeal.appealId);
        return removed ? { status: 'DONE', at: at(), removed: true } : { ...none('the decision carried no strike'), removed: false };
      }
      case 'notice': {
        if (!deps.notices) return none('no notices are configured');
        // Once per appeal and member (its id): a repeat sends nothing new.
        const answer = await deps.notices.announce({
          kind: 'appealOutcome',
          about: { kind: 'appeal', appealId: appeal.appealId },
          channelArn: a.channelArn,
          to: appeal.appellant.memberArn,
          values: { outcome: decision.outcome === 'OVERTURN' ? 'overturned' : 'upheld', reason: decision.reason },
        });
        if (!isAnnounced(answer)) return { status: 'FAILED', at: at(), detail: `The notice could not be recorded: ${answer.status === 'NOT_RECORDED' ? answer.error : answer.status}` };
        return { status: 'DONE', at: at() };
      }
    }
  } catch (error) {
    deps.warn(`An appeal's ${name} could not be done; it is tried again`, { appealId: appeal.appealId, error: String(error) });
    return { status: 'FAILED', at: at(), detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** The appeal's outcome in the audit log (GET /decisions): a follow-up action record, REQUESTED until settled. */
function auditRecord(deps: SettleDeps, appeal: AppealRecord, decision: AppealDecision): FollowUpRecord {
  const a = appeal.appealed;
  return {
    callbackId: `${FOLLOW_UP_PREFIX}appeal-${appeal.appealId}`,
    kind: 'ACTION',
    action: decision.outcome === 'OVERTURN' ? 'APPEAL_OVERTURN' : 'APPEAL_UPHOLD',
    origin: 'MODERATOR',
    actor: decision.actor,
    reason: decision.reason,
    requestedAt: decision.decidedAt,
    channelArn: a.channelArn,
    messageId: a.messageId,
    member: { arn: a.memberArn, ...(a.senderName !== undefined ? { name: a.senderName } : {}) },
    ...(a.ref.kind === 'message' ? { reviewCallbackId: a.ref.callbackId } : { caseId: a.ref.caseId }),
    appealId: appeal.appealId,
    ruleIds: a.ruleIds,
    original: a.message,
    // No Chime call of its own: its effects' calls are audited where they are made.
    bearer: '',
    outcome: 'REQUESTED',
    expiresAt: retentionExpiry(deps.clock.now(), deps.retentionDays),
  };
}

/** Records one effect's outcome on the appeal (on the version read; re-read and merged when another settle wrote first). */
async function recordEffect(deps: SettleDeps, appeal: AppealRecord, name: EffectName, outcome: AppealEffects[EffectName]): Promise<AppealRecord> {
  let current = appeal;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const theirs = current.effects?.[name];
    // Another settle recorded it done meanwhile: theirs stands.
    if (theirs && theirs.status !== 'FAILED' && current !== appeal) return current;
    try {
      return await deps.appeals.update(current, { effects: { ...current.effects, [name]: outcome } });
    } catch (error) {
      if (!(error instanceof RecordConditionError) || !error.current) throw error;
      current = error.current as AppealRecord;
    }
  }
  return current;
}

async function write(deps: SettleDeps, appeal: AppealRecord, set: Partial<AppealRecord>): Promise<AppealRecord> {
  try {
    return await deps.appeals.update(appeal, set);
  } catch (error) {
    if (!(error instanceof RecordConditionError) || !error.current) throw error;
    const now = error.current as AppealRecord;
    return now.settledAt ? now : deps.appeals.update(now, set);
  }
}

/**
 * The sweeper's appeals task: outcomes whose effects are owed (the request that decided them died,
 * or an effect failed), finished; a note left by a request whose decision never got written, dropped.
 */
export function appealsSweeperTask(deps: SettleDeps, options: { batch?: number } = {}) {
  const batch = options.batch ?? 25;
  return {
    name: 'Appeals',
    async run({ nowMs, stopAt }: { nowMs: number; stopAt: number }): Promise<Record<string, number>> {
      const counts = { settled: 0, owed: 0, dropped: 0, errors: 0 };
      for (const owed of await deps.appeals.owed(new Date(nowMs).toISOString(), batch)) {
        if (deps.clock.now() >= stopAt) break;
        try {
          const appeal = await deps.appeals.get(owed.appealId);
          if (!appeal?.decision || appeal.settledAt) {
            // Settled already, or the decision's write never happened (its request failed): nothing is owed.
            if (appeal?.settledAt || nowMs - Date.parse(owed.createdAt) > 10 * SETTLE_CHECK_MS) {
              await deps.appeals.settled(owed.appealId, retentionExpiry(nowMs, 1));
              counts.dropped += 1;
            } else await deps.appeals.postpone(owed.appealId, new Date(nowMs + SETTLE_CHECK_MS).toISOString());
            continue;
          }
          const after = await settle(deps, appeal);
          if (after.settledAt) counts.settled += 1;
          else {
            counts.owed += 1;
            await deps.appeals.postpone(owed.appealId, new Date(nowMs + 5 * SETTLE_CHECK_MS).toISOString());
          }
        } catch (error) {
          counts.errors += 1;
          deps.warn('An appeal’s effects could not be finished; tried again on a later sweep', { appealId: owed.appealId, error: String(error) });
        }
      }
      return counts;
    },
  };
}
