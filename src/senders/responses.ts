import * as z from 'zod/mini';
import '../zod-messages.js';
import { meta } from '../http/schema-meta.js';

/**
 * The senders room's answers (zod/mini): only the OpenAPI document reads them (the route table
 * names them in SENDERS_RESPONSES), as in src/review/responses.ts.
 */

const ActorView = z.object({ id: z.string(), name: z.optional(z.string()) });
const int = () => z.number().check(z.int());

const ChimeCallView = z
  .object({
    channelArn: z.string(),
    outcome: z.enum(['REQUESTED', 'DONE', 'FAILED']).apply(meta, {
      description: 'DONE: Chime confirmed it (its answer, or a read-back after a lost answer); FAILED: Chime refused (see `error`); REQUESTED: not known yet (not tried, or no answer): the sweeper tries again, reading back first.',
    }),
    tries: int(),
    at: z.string(),
    confirmedBy: z.optional(z.enum(['answer', 'read-back'])),
    already: z.optional(z.boolean()).apply(meta, { description: 'Chime had it so already (banned already; not banned any more).' }),
    inDoubt: z.optional(z.boolean()),
    keptFor: z.optional(z.string()).apply(meta, { description: 'An unban not made: this other ACTIVE ban of the member still holds in that channel (its own end unbans it).' }),
    error: z.optional(z.object({ type: z.string(), message: z.string(), refusal: z.optional(z.string()) })),
  })
  .apply(meta, { id: 'ChimeBanCall' });

const StepView = z.object({ strikes: int(), withinSeconds: int(), action: z.enum(['HOLD', 'BAN']), forSeconds: int(), scope: z.enum(['channel', 'app-instance']), notify: z.boolean() });

export const Restriction = z
  .object({
    id: z.string(),
    memberArn: z.string(),
    appInstanceArn: z.string(),
    channelArn: z.string().apply(meta, { description: 'Where it was imposed (a channel-scope restriction applies there only).' }),
    action: z.enum(['HOLD', 'BAN']),
    scope: z.enum(['channel', 'app-instance']),
    status: z.enum(['PENDING_APPROVAL', 'ACTIVE', 'ENDED', 'LIFTED', 'REJECTED']),
    forSeconds: z.optional(int()).apply(meta, { description: 'How long it lasts once in force; absent: until lifted.' }),
    startsAt: z.optional(z.string()),
    endsAt: z.optional(z.string()).apply(meta, { description: 'When the sweeper ends it (absent: until lifted).' }),
    reason: z.string(),
    requestedBy: ActorView,
    requestedAt: z.string(),
    cause: z
      .object({
        kind: z.enum(['escalation', 'moderator']),
        step: z.optional(int()),
        strikeIds: z.optional(z.array(z.string())),
        ruleIds: z.optional(z.array(z.string())),
        caseId: z.optional(z.string()),
        callbackId: z.optional(z.string()),
      })
      .apply(meta, { description: 'An escalation step (its index in the ladder, the strikes that reached it and their rules), or a moderator.' }),
    step: z.optional(StepView).apply(meta, { description: 'The escalation step’s rule as it was when it applied.' }),
    approval: z.optional(z.object({ approved: z.boolean(), by: ActorView, at: z.string(), reason: z.string() })),
    lifted: z.optional(z.object({ by: ActorView, at: z.string(), reason: z.string() })),
    endedAt: z.optional(z.string()),
    chime: z
      .object({
        bans: z.array(ChimeCallView).apply(meta, { description: 'CreateChannelBan, per channel.' }),
        unbans: z.array(ChimeCallView).apply(meta, { description: 'DeleteChannelBan, per channel, once it ended or was lifted.' }),
        channelsListed: z.boolean().apply(meta, { description: 'An app-instance ban: the member’s channels were read (ListChannelMembershipsForAppInstanceUser).' }),
      })
      .apply(meta, { description: 'A BAN’s calls in Chime, one per channel.' }),
    history: z.array(z.object({ at: z.string(), actor: z.string(), event: z.string(), detail: z.optional(z.string()) })),
  })
  .apply(meta, { id: 'Restriction' });

const StrikeView = z
  .object({
    id: z.string(),
    source: z.object({ kind: z.enum(['rule', 'moderator', 'report']), callbackId: z.optional(z.string()), caseId: z.optional(z.string()), ruleIds: z.optional(z.array(z.string())) }),
    channelArn: z.string(),
    messageId: z.string(),
    actor: ActorView,
    at: z.string(),
    decaysAt: z.string(),
    standing: z.enum(['counts', 'decayed', 'removed']).apply(meta, { description: 'Whether it still counts towards the escalation ladder, and if not, why.' }),
    removed: z.optional(z.object({ at: z.string(), by: ActorView, appealId: z.string() })),
  })
  .apply(meta, { id: 'Strike' });

export const Note = z.object({ id: z.string(), text: z.string(), by: ActorView, at: z.string() }).apply(meta, { id: 'SenderNote' });

const CaseView = z
  .object({
    caseId: z.string(),
    channelArn: z.optional(z.string()),
    messageId: z.optional(z.string()),
    firstReportAt: z.optional(z.string()),
    status: z.optional(z.string()),
    reporterCount: z.optional(int()),
    categories: z.optional(z.record(z.string(), int())),
    decisionAction: z.optional(z.string()),
    urgent: z.optional(z.boolean()),
  })
  .apply(meta, { id: 'SenderCase' });

const SenderMessageView = z
  .object({
    callbackId: z.string(),
    messageId: z.string(),
    channelArn: z.string(),
    content: z.string(),
    receivedAt: z.string(),
    status: z.string(),
    held: z.boolean().apply(meta, { description: 'The policy (or a restriction) held it for review.' }),
    denied: z.boolean(),
    policy: z.nullable(z.object({ action: z.string(), ruleIds: z.array(z.string()), reason: z.string() })),
    decision: z.nullable(z.object({ action: z.string(), origin: z.string(), actor: ActorView, reason: z.string(), decidedAt: z.string() })),
  })
  .apply(meta, { id: 'SenderMessage' });

export const SenderRecord = z
  .object({
    memberArn: z.string(),
    appInstanceArn: z.string(),
    generatedAt: z.string(),
    summary: z.object({
      countingStrikes: int().apply(meta, { description: 'Strikes that still count (not decayed, not removed).' }),
      activeRestrictions: int(),
      pendingApprovals: int(),
      reports: int().apply(meta, { description: 'Cases about messages this member sent (the newest 50 are listed).' }),
    }),
    strikes: z.array(StrikeView).apply(meta, { description: 'Newest first (at most 200).' }),
    restrictions: z.object({
      active: z.array(Restriction).apply(meta, { description: 'In force, or waiting for approval.' }),
      past: z.array(Restriction).apply(meta, { description: 'Ended, lifted or rejected, newest first (at most 50).' }),
    }),
    reports: z.array(CaseView).apply(meta, { description: 'Cases about messages this member sent, newest first.' }),
    notes: z.array(Note).apply(meta, { description: 'Newest first (at most 50).' }),
    messages: z
      .object({
        filter: z.enum(['held-or-denied', 'all']),
        items: z.array(SenderMessageView),
        scanned: int().apply(meta, { description: 'Messages read for this page (newest first); `items` are those that pass the filter.' }),
        next: z.optional(z.string()).apply(meta, { description: 'Cursor of older messages; absent on the last page.' }),
      })
      .apply(meta, { description: 'The member’s messages in the moderation record (the bySender index).' }),
  })
  .apply(meta, { id: 'SenderRecord' });

export const ApprovalPage = z
  .object({ items: z.array(Restriction).apply(meta, { description: 'Bans waiting for a second moderator, oldest request first.' }), next: z.optional(z.string()) })
  .apply(meta, { id: 'ApprovalPage' });

export const CannedReasons = z
  .object({
    channelArn: z.string(),
    deny: z.array(z.string()),
    ban: z.array(z.string()),
    case: z.array(z.string()),
    appeal: z.array(z.string()),
  })
  .apply(meta, { id: 'CannedReasons', description: 'The effective canned reasons of the channel’s policy (global → app instance → channel), for reason pickers.' });

/** The senders room's answers, by the name its route table gives them. */
export const SENDERS_RESPONSES = { SenderRecord, Restriction, SenderNote: Note, ApprovalPage, CannedReasons } as const;
