import * as z from 'zod/mini';
import { CHANNEL_ARN_PATTERN, MEMBER_ARN_PATTERN } from '../domain/arns.js';
import '../zod-messages.js';
import { CursorSchema, integerParam } from '../http/params.js';
import { meta } from '../http/schema-meta.js';
import { parseDuration, REPORT_CATEGORIES } from '../policy/community.js';
import { CASE_ACTIONS, CASE_ID_PATTERN, CASE_STATUSES } from './model.js';

/**
 * The reports room's requests: the single source for validation and the OpenAPI document.
 * Every object is strict: a field the schema does not know is a 400 with nothing stored. That is
 * how a forged `content` in a report is refused: the message's content is always read from Chime.
 */

const ChannelArn = z
  .string()
  .check(z.maxLength(1600, 'must be at most 1600 characters'), z.regex(CHANNEL_ARN_PATTERN, 'must be a Chime channel ARN'))
  .apply(meta, { description: 'A Chime channel ARN.' });

const MemberArn = z
  .string()
  .check(z.maxLength(1600, 'must be at most 1600 characters'), z.regex(MEMBER_ARN_PATTERN, 'must be a Chime AppInstanceUser or AppInstanceBot ARN'))
  .apply(meta, { description: 'A Chime AppInstanceUser or AppInstanceBot ARN.' });

/** Chime's MessageId (the API model): 1–128 characters of `[-_a-zA-Z0-9]`. */
const MessageId = z
  .string()
  .check(z.minLength(1, 'must not be empty'), z.maxLength(128, 'must be at most 128 characters'), z.regex(/^[-_a-zA-Z0-9]*$/, 'must be letters, digits, "-" or "_" (Chime\'s MessageId)'))
  .apply(meta, { description: "Chime's MessageId (1-128 characters of [-_a-zA-Z0-9])." });

const Category = z.enum(REPORT_CATEGORIES).apply(meta, { description: 'What is wrong with it. Each category’s label, severity and SLA come from the channel’s policy (`reports.categories`).' });

const text = (max: number, description: string) => z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`)).apply(meta, { description });

export const CaseIdSchema = z
  .string()
  .check(z.regex(CASE_ID_PATTERN, 'must be a case id: 32 characters of letters, digits, "-" or "_"'))
  .apply(meta, { description: 'A case id (one per reported message).' });

// ─── Members ─────────────────────────────────────────────────────────────────────────────────

export const ReportRequest = z
  .strictObject({
    channelArn: ChannelArn,
    messageId: MessageId,
    category: Category,
    note: z.optional(text(1000, 'What the reporter wants moderators to know (at most 1,000 characters). Moderators see it; other members never do.')),
    memberArn: z.optional(MemberArn).apply(meta, { description: 'A service acting for a member (the service group) names them here; anyone else may only name themselves.' }),
  })
  .apply(meta, { id: 'ReportRequest', description: 'A report of a message already sent. Its content is read from Chime, never taken from the request: any other field is refused.' });
export type ReportRequest = z.output<typeof ReportRequest>;

export const MyReportsQuery = z.strictObject({
  memberArn: z.optional(MemberArn).apply(meta, { description: 'A service acting for a member names them here.' }),
  limit: integerParam(1, 100, 25, 'Reports per page, 1-100.'),
  cursor: z.optional(CursorSchema),
});
export type MyReportsQuery = z.output<typeof MyReportsQuery>;

// ─── Moderators ──────────────────────────────────────────────────────────────────────────────

export const CaseIdParams = z.strictObject({ caseId: CaseIdSchema });

export const CasesQuery = z.strictObject({
  status: z._default(z.enum(CASE_STATUSES), 'OPEN').apply(meta, { description: 'OPEN (waiting for a moderator), ACTIONED (redacted or deleted) or DISMISSED.' }),
  category: z.optional(Category),
  channelArn: z.optional(ChannelArn),
  senderArn: z.optional(MemberArn).apply(meta, { description: 'Only cases about messages this member sent.' }),
  order: z
    ._default(z.enum(['deadline', 'priority']), 'deadline')
    .apply(meta, { description: '`deadline`: the SLA due time, soonest first; `priority`: the highest priority first, then the due time. Urgent (auto-hidden) cases come first in both.' }),
  limit: integerParam(1, 100, 25, 'Cases per page, 1-100.'),
  cursor: z.optional(CursorSchema),
});
export type CasesQuery = z.output<typeof CasesQuery>;

export const CaseClaimRequest = z
  .strictObject({
    leaseSeconds: z._default(z.number().check(z.int('must be a whole number'), z.gte(1), z.lte(3600)), 300).apply(meta, { description: 'Lease length; claiming again extends it.' }),
  })
  .apply(meta, { id: 'CaseClaimRequest' });
export type CaseClaimRequest = z.output<typeof CaseClaimRequest>;

export const CaseDecisionRequest = z
  .strictObject({
    action: z.enum(CASE_ACTIONS).apply(meta, {
      description: 'DISMISS: the report does not hold (nothing happens in Chime); REDACT: RedactChannelMessage (the message stays, its content goes); DELETE: DeleteChannelMessage.',
    }),
    reason: text(500, 'Why: kept in the audit log and on the case.'),
    publicReason: z.optional(text(500, 'What reporters are told with the outcome (their notice). Without it they are told the outcome alone.')),
    expectedVersion: z.optional(z.number().check(z.int('must be a whole number'), z.gte(1))).apply(meta, { description: 'Refuse (409) unless the case is still at this version.' }),
  })
  .apply(meta, { id: 'CaseDecisionRequest' });
export type CaseDecisionRequest = z.output<typeof CaseDecisionRequest>;

const DURATION = /^\d{1,6}[smhd]$/;

export const CaseActionRequest = z
  .strictObject({
    type: z.enum(['BAN_SENDER', 'NOTIFY_SENDER']).apply(meta, {
      description: "BAN_SENDER: ban the message's sender (through the senders room: the two-person rule applies); NOTIFY_SENDER: a warning notice to the sender, with the reason.",
    }),
    reason: text(500, 'Why. For NOTIFY_SENDER, what the sender is told: write it for them.'),
    for: z
      .optional(z.string().check(z.regex(DURATION, 'must be a duration such as 90s, 15m, 24h or 7d'), z.refine((v) => parseDuration(v) !== 0, 'must be longer than 0')))
      .apply(meta, { description: 'BAN_SENDER only: how long (`24h`, `7d`); without it the ban lasts until lifted.' }),
    scope: z.optional(z.enum(['channel', 'app-instance'])).apply(meta, { description: 'BAN_SENDER only: this channel (the default) or every channel of the AppInstance.' }),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.type !== 'BAN_SENDER') {
        for (const field of ['for', 'scope'] as const) if (body[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is only allowed with type BAN_SENDER' });
      }
    }),
  )
  .apply(meta, { id: 'CaseActionRequest' });
export type CaseActionRequest = z.output<typeof CaseActionRequest>;
