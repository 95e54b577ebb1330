import * as z from 'zod/mini';
import { CHANNEL_ARN_PATTERN, MEMBER_ARN_PATTERN } from '../domain/arns.js';
import '../zod-messages.js';
import { CursorSchema, integerParam } from '../http/params.js';
import { meta } from '../http/schema-meta.js';
import { parseDuration } from '../policy/community.js';

/**
 * The senders room's request schemas (zod/mini, as every room's: src/review/schemas.ts says
 * why). Strict objects: an unknown field is a 400. They validate the request and document it.
 */

/** The longest restriction a moderator may ask for with `for` (longer: leave `for` out, until lifted). */
export const MAX_RESTRICTION_SECONDS = 365 * 86_400;

export const MemberArnSchema = z
  .string()
  .check(z.maxLength(1600), z.regex(MEMBER_ARN_PATTERN, 'must be a Chime AppInstanceUser or AppInstanceBot ARN'))
  .apply(meta, { description: 'The member (an AppInstanceUser or AppInstanceBot ARN), URL-encoded in the path.' });

const ChannelArn = z.string().check(z.maxLength(1600), z.regex(CHANNEL_ARN_PATTERN, 'must be a Chime channel ARN')).apply(meta, { description: 'A Chime channel ARN.' });

/** A restriction's (and an approval's) id: 22 characters of base64url. */
export const RestrictionIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/, 'must be a restriction id (22 characters of [A-Za-z0-9_-])')).apply(meta, { description: 'A restriction id.' });

const reasonField = (description: string) => z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(1000)).apply(meta, { description });

const DurationSchema = z
  .string()
  .check(
    z.regex(/^\d{1,6}[smhd]$/, 'must be a duration such as 90s, 15m, 24h or 7d'),
    z.refine((v) => (parseDuration(v) ?? 0) >= 60, 'must be at least 1 minute'),
    z.refine((v) => (parseDuration(v) ?? Infinity) <= MAX_RESTRICTION_SECONDS, 'must be at most 365d (leave it out for a restriction until lifted)'),
  )
  .apply(meta, { description: 'How long it lasts once in force: 90s, 15m, 24h, 7d (at least 1 minute, at most 365 days). Absent: until lifted.' });

// ─── Requests ────────────────────────────────────────────────────────────────────────────────

export const MemberParams = z.strictObject({ memberArn: MemberArnSchema });

export const SenderQuery = z.strictObject({
  messages: z
    ._default(z.enum(['held-or-denied', 'all']), 'held-or-denied')
    .apply(meta, { description: '`held-or-denied`: only the messages that were held for review or denied; `all`: every message.' }),
  limit: integerParam(1, 100, 25, 'Messages read per page (newest first), 1-100; with `held-or-denied` a page may show fewer.'),
  cursor: z.optional(CursorSchema),
});
export type SenderQuery = z.output<typeof SenderQuery>;

export const NoteRequest = z
  .strictObject({ text: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(2000)).apply(meta, { description: 'The note, 1-2000 characters. Moderators only ever see it.' }) })
  .apply(meta, { id: 'NoteRequest' });
export type NoteRequest = z.output<typeof NoteRequest>;

export const RestrictionRequest = z
  .strictObject({
    action: z.enum(['HOLD', 'BAN']).apply(meta, { description: 'HOLD: every message of the member goes to review; BAN: CreateChannelBan, and the worker denies their messages.' }),
    channelArn: ChannelArn.apply(meta, { description: 'The channel (of the member’s AppInstance) it applies in; for scope app-instance, where the member is told.' }),
    for: z.optional(DurationSchema),
    scope: z._default(z.enum(['channel', 'app-instance']), 'channel').apply(meta, { description: '`channel`: that channel; `app-instance`: every channel of the AppInstance.' }),
    reason: reasonField('Why; required. Kept with the restriction.'),
  })
  .apply(meta, { id: 'RestrictionRequest' });
export type RestrictionRequest = z.output<typeof RestrictionRequest>;

export const RestrictionParams = z.strictObject({ memberArn: MemberArnSchema, restrictionId: RestrictionIdSchema });

export const LiftQuery = z.strictObject({
  reason: z.optional(z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(1000))).apply(meta, { description: 'Why it is lifted (kept with it).' }),
});

export const ApprovalParams = z.strictObject({ approvalId: RestrictionIdSchema });

export const ApprovalDecisionRequest = z
  .strictObject({
    approve: z.boolean().apply(meta, { description: 'true: the ban is applied now (its `for` counts from now); false: REJECTED.' }),
    reason: reasonField('Why; required. Kept with the restriction.'),
  })
  .apply(meta, { id: 'ApprovalDecisionRequest' });
export type ApprovalDecisionRequest = z.output<typeof ApprovalDecisionRequest>;

export const ApprovalsQuery = z.strictObject({
  limit: integerParam(1, 100, 25, 'Approvals per page, 1-100.'),
  cursor: z.optional(CursorSchema),
});

export const CannedReasonsQuery = z.strictObject({ channelArn: ChannelArn.apply(meta, { description: 'The channel whose effective policy’s reasons are wanted.' }) });
