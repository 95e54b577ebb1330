import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { appInstanceOf } from '../domain/arns.js';
import type { ModerationItem } from '../domain/item.js';
import { InvalidRequestError, PeopleNotFoundError } from '../errors.js';
import { idempotencyId, requestFingerprint } from '../http/idempotency.js';
import type { Principal } from '../http/principal.js';
import { mergeShards } from '../adapters/shard-merge.js';
import { parseDuration } from '../policy/community.js';
import type { SendersDeps } from './deps.js';
import { APPROVALS_QUEUE, memberPk, noteSk, queueKeysOf, standingOf, type RestrictionRecord } from './model.js';
import { oneOffKey } from './restrictions.js';
import type { ApprovalPage, CannedReasons, Note, Restriction, SenderRecord } from './responses.js';
import type { ApprovalDecisionRequest, NoteRequest, RestrictionRequest, SenderQuery } from './schemas.js';
import { toNoteView, toRestrictionView, toSenderMessageView, toStrikeView, wasDenied, wasHeld } from './views.js';

/** The senders room's operations, one per route (src/senders/routes.ts). */

const iso = (ms: number) => new Date(ms).toISOString();
const actorOf = (principal: Principal) => ({ id: principal.subject, name: principal.username });
const newest = (a: { requestedAt: string }, b: { requestedAt: string }) => (a.requestedAt < b.requestedAt ? 1 : a.requestedAt > b.requestedAt ? -1 : 0);

const STRIKES_SHOWN = 200;
const RESTRICTIONS_READ = 1000;
const PAST_SHOWN = 50;
const NOTES_SHOWN = 50;
const CASES_SHOWN = 50;

/** `GET /senders/{memberArn}`: the sender's record. Reads only this member's partition, the reports room's case records and a page of the bySender index. */
export async function senderRecord(deps: SendersDeps, memberArn: string, query: SenderQuery): Promise<z.output<typeof SenderRecord>> {
  const { senders } = deps;
  const now = deps.clock.now();
  const scope = { route: '/senders/{memberArn}', memberArn, messages: query.messages, limit: query.limit };
  const before = query.cursor !== undefined ? deps.cursors.decode<{ before: string }>(scope, query.cursor).before : undefined;
  const [strikes, restrictions, notes, pointers, page] = await Promise.all([
    senders.store.strikesOf(memberArn, 5000),
    senders.store.restrictionsOf(memberArn, RESTRICTIONS_READ),
    senders.store.notesOf(memberArn, NOTES_SHOWN),
    senders.store.casePointersOf(memberArn, CASES_SHOWN),
    senders.messages ? senders.messages.page(memberArn, { limit: query.limit, ...(before !== undefined ? { before } : {}) }) : Promise.resolve<{ items: ModerationItem[]; next?: string }>({ items: [] }),
  ]);
  const cases = new Map((await senders.store.caseSummaries(pointers.map((p) => p.caseId))).map((c) => [c.caseId, c]));
  const sorted = [...restrictions].sort(newest);
  const active = sorted.filter((r) => r.status === 'PENDING_APPROVAL' || (r.status === 'ACTIVE' && (r.endsAt === undefined || Date.parse(r.endsAt) > now)));
  const past = sorted.filter((r) => !active.includes(r)).slice(0, PAST_SHOWN);
  const items = page.items.filter((item) => query.messages === 'all' || wasHeld(item) || wasDenied(item));
  return {
    memberArn,
    appInstanceArn: appInstanceOf(memberArn),
    generatedAt: iso(now),
    summary: {
      countingStrikes: strikes.filter((s) => standingOf(s, now) === 'counts').length,
      activeRestrictions: active.filter((r) => r.status === 'ACTIVE').length,
      pendingApprovals: active.filter((r) => r.status === 'PENDING_APPROVAL').length,
      reports: pointers.length,
    },
    strikes: strikes
      .slice(-STRIKES_SHOWN)
      .reverse()
      .map((s) => toStrikeView(s, now)),
    restrictions: { active: active.map(toRestrictionView), past: past.map(toRestrictionView) },
    reports: pointers.map((p) => {
      const c = cases.get(p.caseId) as { status?: string; reporterCount?: number; categories?: Record<string, number>; decision?: { action?: string }; urgent?: boolean } | undefined;
      return {
        caseId: p.caseId,
        ...(p.channelArn !== undefined ? { channelArn: p.channelArn } : {}),
        ...(p.messageId !== undefined ? { messageId: p.messageId } : {}),
        ...(p.firstReportAt !== undefined ? { firstReportAt: p.firstReportAt } : {}),
        ...(typeof c?.status === 'string' ? { status: c.status } : {}),
        ...(typeof c?.reporterCount === 'number' ? { reporterCount: c.reporterCount } : {}),
        ...(c?.categories && typeof c.categories === 'object' ? { categories: c.categories } : {}),
        ...(typeof c?.decision?.action === 'string' ? { decisionAction: c.decision.action } : {}),
        ...(typeof c?.urgent === 'boolean' ? { urgent: c.urgent } : {}),
      };
    }),
    notes: notes.map(toNoteView),
    messages: {
      filter: query.messages,
      items: items.map(toSenderMessageView),
      scanned: page.items.length,
      ...(page.next !== undefined ? { next: deps.cursors.encode(scope, { before: page.next }) } : {}),
    },
  };
}

/** `POST /senders/{memberArn}/notes`. */
export async function addNote(deps: SendersDeps, principal: Principal, memberArn: string, request: NoteRequest): Promise<z.output<typeof Note>> {
  const at = iso(deps.clock.now());
  const id = randomBytes(9).toString('base64url');
  const note = await deps.senders.store.createNote({ pk: memberPk(memberArn), sk: noteSk(at, id), kind: 'NOTE', id, memberArn, text: request.text, by: actorOf(principal), at });
  return toNoteView(note);
}

/**
 * `POST /senders/{memberArn}/restrictions`: a moderator's HOLD or BAN. The two-person rule
 * applies (a long or app-wide ban waits for a second moderator). With an Idempotency-Key, the
 * same request again is the same restriction; the same key with another request is 409.
 */
export async function imposeRestriction(deps: SendersDeps, principal: Principal, memberArn: string, request: RestrictionRequest, idempotencyKey?: string): Promise<z.output<typeof Restriction>> {
  const appInstanceArn = appInstanceOf(memberArn);
  if (appInstanceOf(request.channelArn) !== appInstanceArn) {
    throw new InvalidRequestError(`The channel is not in the member's AppInstance (${appInstanceArn})`, [{ path: 'body.channelArn', message: `must be a channel of ${appInstanceArn}` }]);
  }
  const forSeconds = request.for !== undefined ? parseDuration(request.for) : undefined;
  const asked = { memberArn, ...request };
  const { record } = await deps.senders.restrictions.imposeRecord({
    key: idempotencyKey !== undefined ? `moderator:${idempotencyId(principal.subject, '/senders/{memberArn}/restrictions', idempotencyKey)}` : oneOffKey(),
    ...(idempotencyKey !== undefined ? { requestHash: requestFingerprint(asked) } : {}),
    member: { appInstanceArn, memberArn },
    channelArn: request.channelArn,
    kind: request.action,
    scope: request.scope,
    ...(forSeconds !== undefined ? { forSeconds } : {}),
    reason: request.reason,
    by: actorOf(principal),
    cause: { kind: 'moderator' },
    notify: false,
  });
  return toRestrictionView(record);
}

/** `DELETE /senders/{memberArn}/restrictions/{restrictionId}` (admins): lifted now. */
export async function liftRestriction(deps: SendersDeps, principal: Principal, memberArn: string, restrictionId: string, reason: string | undefined): Promise<z.output<typeof Restriction>> {
  const record = await deps.senders.restrictions.get(restrictionId);
  if (record.member.memberArn !== memberArn) throw new PeopleNotFoundError('restriction', restrictionId);
  return toRestrictionView(await deps.senders.restrictions.liftRecord(restrictionId, actorOf(principal), reason ?? `Lifted by ${principal.username}`));
}

/** `GET /approvals`: bans waiting for a second moderator, oldest request first (the queue's shards merged). */
export async function listApprovals(deps: SendersDeps, query: { limit: number; cursor?: string | undefined }): Promise<z.output<typeof ApprovalPage>> {
  const scope = { route: '/approvals', limit: query.limit };
  const after = query.cursor !== undefined ? deps.cursors.decode<{ after: string }>(scope, query.cursor).after : undefined;
  const merged = await mergeShards<RestrictionRecord>({
    shards: queueKeysOf(APPROVALS_QUEUE),
    order: 'asc',
    ...(after !== undefined ? { after } : {}),
    want: query.limit,
    read: async (shard, from, limit) => {
      const page = await deps.senders.store.queuePage(shard, { limit, ...(from !== undefined ? { after: from } : {}) });
      return { entries: page.records, ...(page.lastKey !== undefined ? { lastKey: page.lastKey } : {}) };
    },
    keyOf: (r) => r.queueSort!,
    pageSize: Math.min(100, query.limit + 1),
    maxQueries: 40,
  });
  const items = merged.entries.filter((r) => r.status === 'PENDING_APPROVAL');
  return { items: items.map(toRestrictionView), ...(merged.next !== undefined ? { next: deps.cursors.encode(scope, { after: merged.next }) } : {}) };
}

/** `POST /approvals/{approvalId}/decision`. */
export async function decideApproval(deps: SendersDeps, principal: Principal, approvalId: string, request: ApprovalDecisionRequest): Promise<z.output<typeof Restriction>> {
  return toRestrictionView(await deps.senders.restrictions.decideApproval(approvalId, actorOf(principal), { approve: request.approve, reason: request.reason }));
}

/** `GET /canned-reasons?channelArn=`: the effective policy's canned reasons for that channel. */
export async function cannedReasons(deps: SendersDeps, channelArn: string): Promise<z.output<typeof CannedReasons>> {
  const policy = await deps.senders.policies.forChannel(channelArn);
  return { channelArn, ...policy.cannedReasons };
}
