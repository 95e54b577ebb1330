import { formatClock, formatTimestamp, type ClockOptions } from './time.js';

/**
 * The review API's refusals (RFC 9457 problem details) in plain words for a moderator. A 409
 * always says who got there first and what they did; never a generic "conflict".
 */
export interface ApiProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export type ProblemKind =
  | 'already-decided'
  | 'claim-conflict'
  | 'version-conflict'
  | 'not-reviewable'
  | 'deadline-passed'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'invalid-request'
  | 'admins-only'
  | 'policy-version-conflict'
  | 'chime-bearer-not-configured'
  | 'chime-bearer-forbidden'
  | 'chime-conflict'
  | 'chime-bad-request'
  | 'chime-unavailable'
  | 'action-not-recorded'
  | 'four-eyes'
  | 'approval-conflict'
  | 'already-appealed'
  | 'not-appealable'
  | 'appeal-window-closed'
  | 'rate-limited'
  | 'not-configured'
  | 'idempotency-key-reused'
  | 'network'
  | 'other';

export interface Explanation {
  kind: ProblemKind;
  title: string;
  message: string;
}

const kindOf = (problem: ApiProblemBody): ProblemKind => {
  const name = (problem.type ?? '').split('/').pop() ?? '';
  const known: ProblemKind[] = [
    'already-decided',
    'claim-conflict',
    'version-conflict',
    'not-reviewable',
    'deadline-passed',
    'unauthorized',
    'forbidden',
    'not-found',
    'invalid-request',
    'admins-only',
    'policy-version-conflict',
    'chime-bearer-not-configured',
    'chime-bearer-forbidden',
    'chime-conflict',
    'chime-bad-request',
    'chime-unavailable',
    'action-not-recorded',
    'four-eyes',
    'approval-conflict',
    'already-appealed',
    'not-appealable',
    'appeal-window-closed',
    'rate-limited',
    'not-configured',
    'idempotency-key-reused',
  ];
  if ((known as string[]).includes(name)) return name as ProblemKind;
  if (problem.status === 0) return 'network';
  if (problem.status === 401) return 'unauthorized';
  if (problem.status === 403) return 'forbidden';
  return 'other';
};

const actorName = (actor: unknown): string => {
  if (actor && typeof actor === 'object') {
    const a = actor as { name?: unknown; id?: unknown; username?: unknown; subject?: unknown };
    const name = a.name ?? a.username ?? a.id ?? a.subject;
    if (typeof name === 'string') return name;
  }
  return 'someone';
};

const describeDecider = (name: string, origin: unknown) =>
  origin === 'EXPIRY' ? 'The sweeper (expiry policy)' : origin === 'AUTO' ? 'The automatic policy' : name;

export function explainProblem(problem: ApiProblemBody, clock: ClockOptions): Explanation {
  const kind = kindOf(problem);
  const at = (iso: unknown) => (typeof iso === 'string' ? `${formatClock(iso, clock)} (${formatTimestamp(iso, clock.timeZone)})` : 'an unknown time');
  switch (kind) {
    case 'already-decided': {
      const who = describeDecider(actorName(problem.decidedBy), problem.origin);
      const reason = typeof problem.reason === 'string' && problem.reason ? ` Reason: “${problem.reason}”.` : '';
      // A held message says where it stands (itemStatus), a case its status, an appeal its outcome.
      const status =
        typeof problem.itemStatus === 'string' ? ` The message is now ${problem.itemStatus}.` : typeof problem.caseStatus === 'string' ? ` The case is now ${problem.caseStatus}.` : '';
      const what = String(problem.action ?? problem.outcome ?? 'it');
      return {
        kind,
        title: 'Someone decided first',
        message: `${who} already decided ${what} at ${at(problem.decidedAt)}.${reason}${status} Your decision was not applied; nothing changed.`,
      };
    }
    case 'claim-conflict':
      return {
        kind,
        title: 'Claimed by someone else',
        message: `${actorName(problem.claimedBy)} is working on this ${typeof problem.caseId === 'string' ? 'case' : 'message'} until ${at(problem.until)}. You can read it, but not decide it until they release it or their claim runs out.`,
      };
    case 'deadline-passed':
      return {
        kind,
        title: 'The deadline passed',
        message: `Chime stopped accepting a decision for this message at ${at(problem.deadline)} (48 hours after it was sent). Nothing can be sent for it any more; the expiry policy has dealt with it.`,
      };
    case 'version-conflict': {
      const what = typeof problem.caseId === 'string' ? 'case' : typeof problem.appealId === 'string' ? 'appeal' : 'message';
      const how = what === 'case' ? ' (a new report, a claim or an action)' : '';
      return { kind, title: `The ${what} changed`, message: `The ${what} changed while you were reading it${how}. It has been reloaded: check it and decide again.` };
    }
    case 'not-reviewable':
      return { kind, title: 'Not waiting for review', message: `This message is ${String(problem.itemStatus ?? 'not held')}, so there is nothing to decide.` };
    case 'unauthorized':
      return { kind, title: 'Signed out', message: 'Your session ended. Sign in again to carry on where you were.' };
    case 'forbidden':
      return {
        kind,
        title: 'Not a moderator',
        message: `This account is in neither the ${groupList(problem.requiredGroups)} group, so it cannot see or decide held messages. Ask an admin to add it to one of them, or sign in with another account.`,
      };
    case 'not-found':
      // A Chime refusal (ban, redact, delete) or a policy names what is missing in its detail.
      if (typeof problem.chimeErrorType === 'string') return { kind, title: 'Chime has no such message', message: `${problem.detail ?? 'Chime did not find it.'}` };
      if (typeof problem.scope === 'string') return { kind, title: 'No such policy', message: problem.detail ?? `Nothing is stored for ${problem.scope}.` };
      // The people rooms name what they did not find (case, appeal, restriction, approval, …).
      if (typeof problem.kind === 'string' && problem.kind !== 'message') return { kind, title: `No such ${problem.kind}`, message: problem.detail ?? `There is no ${problem.kind} with this id.` };
      return { kind, title: 'Not found', message: 'There is no held message with this id (it may have been removed after its retention period).' };
    case 'admins-only':
      return { kind, title: 'Only admins may do this', message: `${problem.detail ?? 'This needs the admins group.'} Ask an admin, or sign in as one.` };
    case 'policy-version-conflict': {
      const by = problem.updatedBy ? actorName(problem.updatedBy) : 'Someone';
      const comment = typeof problem.comment === 'string' && problem.comment ? ` (“${problem.comment}”)` : '';
      return {
        kind,
        title: 'The policy changed while you were editing',
        message: `${by} saved version ${String(problem.currentVersion ?? '?')} at ${at(problem.updatedAt)}${comment}; you started from version ${String(problem.expectedVersion ?? '?')}. Nothing was saved. Your draft is still here: compare it with theirs, then save again.`,
      };
    }
    case 'chime-bearer-not-configured':
      return {
        kind,
        title: 'Chime actions are not set up',
        message: 'The review API has no Chime identity to act as (the stage setting chimeBearerArn, CHIME_BEARER_ARN, is empty). Nothing was done and nothing was recorded. Ask an operator to set it.',
      };
    case 'chime-bearer-forbidden':
      return { kind, title: 'Chime refused the API’s identity', message: `${problem.detail ?? 'Chime refused the configured bearer.'} Ask an operator to check its rights.` };
    case 'chime-conflict':
      return { kind, title: 'Chime refused: conflict', message: problem.detail ?? 'Chime refused the action. Nothing was changed.' };
    case 'chime-bad-request':
      return { kind, title: 'Chime rejected the request', message: problem.detail ?? 'Chime rejected the action as invalid. Nothing was changed.' };
    case 'chime-unavailable':
      return { kind, title: 'Chime did not answer', message: problem.detail ?? 'Chime did not confirm the action. Check in Chime, then try again: repeating a ban or a redaction is harmless.' };
    case 'action-not-recorded':
      return { kind, title: 'Done in Chime, not fully recorded', message: `${problem.detail ?? 'Chime did it, but the audit log could not be updated.'}${problem.requestId ? ` (request id ${problem.requestId})` : ''}` };
    case 'invalid-request': {
      // Each field the API refused, in its words ("body.for: must be a duration such as 90s…").
      const fields = Array.isArray(problem.errors)
        ? (problem.errors as unknown[])
            .filter((e): e is { path: string; message: string } => typeof e === 'object' && e !== null && typeof (e as { path?: unknown }).path === 'string' && typeof (e as { message?: unknown }).message === 'string')
            .map((e) => `${e.path.replace(/^body\./, '')}: ${e.message}`)
        : [];
      return { kind, title: 'Not accepted', message: `${problem.detail ?? 'The API did not accept this request.'}${fields.length ? ` (${fields.join('; ')})` : ''} Nothing was changed.` };
    }
    case 'four-eyes':
      return problem.kind === 'approval'
        ? { kind, title: 'Another moderator must decide', message: 'You asked for this ban: the two-person rule needs another moderator to approve or reject it.' }
        : { kind, title: 'Another moderator must decide', message: 'You made the original decision: another moderator must decide this appeal.' };
    case 'approval-conflict':
      return { kind, title: 'Decided by someone else', message: problem.detail ?? 'Someone else decided this approval first. Nothing was changed.' };
    case 'already-appealed':
    case 'not-appealable':
    case 'appeal-window-closed':
      return { kind, title: String(problem.title ?? 'Cannot be appealed'), message: problem.detail ?? 'This decision cannot be appealed.' };
    case 'rate-limited':
      return { kind, title: 'Too many requests', message: `${problem.detail ?? 'Slow down.'}` };
    case 'not-configured':
      return { kind, title: 'Not set up here', message: problem.detail ?? 'This API is not set up for that. Nothing was done.' };
    case 'idempotency-key-reused':
      return { kind, title: 'Sent twice with changes', message: `${problem.detail ?? 'The same request id was used for a different request.'} Reload and try again.` };
    case 'network':
      return { kind, title: 'Cannot reach the API', message: 'The review API did not answer. Check your connection; the console keeps retrying.' };
    default:
      return {
        kind,
        title: problem.title ?? 'Something went wrong',
        message: `${problem.detail ?? 'The API answered with an error.'}${problem.requestId ? ` (request id ${problem.requestId})` : ''}`,
      };
  }
}

function groupList(groups: unknown): string {
  const list = Array.isArray(groups) && groups.every((g) => typeof g === 'string') ? (groups as string[]) : ['moderators', 'admins'];
  return list.length === 2 ? `${list[0]} nor the ${list[1]}` : list.join(', ');
}

/** The last segment of an ARN: how a sender without a Name is shown. */
export const arnTail = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1) || arn;
