import * as z from 'zod/mini';
import '../zod-messages.js';
import { meta } from '../http/schema-meta.js';
import { APPEAL_OUTCOMES, APPEAL_STATUSES } from './model.js';

/**
 * The appeals room's answers (the OpenAPI document reads them; nothing validates an answer at
 * runtime). A member sees their appeal and its outcome; never the audit log's reason of the
 * decision they appealed, nor who made it. Moderators see everything.
 */

const AppealStatus = z.enum(APPEAL_STATUSES);
const ActorView = z.object({ id: z.string(), name: z.optional(z.string()) });
const RefView = z
  .object({ kind: z.enum(['message', 'case']), callbackId: z.optional(z.string()), caseId: z.optional(z.string()) })
  .apply(meta, { id: 'AppealedRef', description: 'The decision appealed: a held message’s (`callbackId`) or a report case’s (`caseId`).' });

export const MemberAppeal = z
  .object({
    appealId: z.string(),
    status: AppealStatus.apply(meta, { description: 'PENDING: waiting for a moderator; UPHELD: the decision stands; OVERTURNED: it was reversed.' }),
    ref: RefView,
    text: z.string(),
    createdAt: z.string(),
    decidedAt: z.optional(z.string()),
    reason: z.optional(z.string()).apply(meta, { description: 'The moderator’s reason for the outcome (also sent to the member as a notice).' }),
  })
  .apply(meta, { id: 'MemberAppeal', description: 'An appeal as the member who made it sees it.' });

const EffectView = z.object({
  status: z.enum(['DONE', 'NONE', 'FAILED']).apply(meta, { description: 'DONE; NONE: nothing to do (no ban, no strike); FAILED: not done yet (tried again by the sweeper, or by the same request again).' }),
  at: z.string(),
  detail: z.optional(z.string()),
});

export const Appeal = z
  .object({
    appealId: z.string(),
    version: z.number().check(z.int()),
    status: AppealStatus,
    ref: RefView,
    appellant: z.object({ memberArn: z.string(), onBehalf: z.boolean().apply(meta, { description: 'Made by a service for the member.' }) }),
    text: z.string(),
    createdAt: z.string(),
    windowClosedAt: z.string().apply(meta, { description: 'When the policy’s window for appealing the decision closed (or closes).' }),
    appealed: z
      .object({
        action: z.string().apply(meta, { description: 'DENY or UPDATE (a held message); REDACT, DELETE or DISMISS (a case).' }),
        origin: z.enum(['AUTO', 'MODERATOR', 'EXPIRY', 'CASE']),
        decidedBy: ActorView,
        decidedAt: z.string(),
        reason: z.string().apply(meta, { description: 'The decision’s reason as the audit log has it.' }),
        ruleIds: z.array(z.string()),
        channelArn: z.string(),
        messageId: z.string(),
        sender: z.object({ arn: z.string(), name: z.optional(z.string()) }),
        message: z.object({ content: z.string(), metadata: z.optional(z.string()) }).apply(meta, { description: 'The message as its sender wrote it.' }),
        banned: z.optional(z.boolean()).apply(meta, { description: 'A case whose sender was banned for it.' }),
      })
      .apply(meta, { description: 'The decision appealed, as it was when the appeal was made.' }),
    decision: z.nullable(
      z.object({
        outcome: z.enum(APPEAL_OUTCOMES),
        reason: z.string(),
        decidedBy: ActorView,
        decidedAt: z.string(),
      }),
    ),
    effects: z
      .nullable(
        z.object({
          audit: z.optional(z.extend(EffectView, { actionId: z.string().apply(meta, { description: 'Its line in the audit log (GET /decisions).' }) })),
          allowance: z.optional(z.extend(EffectView, { until: z.optional(z.string()) })),
          restrictions: z.optional(z.extend(EffectView, { lifted: z.optional(z.array(z.string())) })),
          strike: z.optional(z.extend(EffectView, { removed: z.optional(z.boolean()) })),
          notice: z.optional(EffectView),
        }),
      )
      .apply(meta, {
        description:
          'What the outcome did, each once: OVERTURN allows the exact content again for its sender in its channel (`allowance`, a denied or changed message), lifts the restrictions the decision caused, removes its strike; both outcomes tell the member (`notice`) and are audited (`audit`).',
      }),
    settledAt: z.optional(z.string()).apply(meta, { description: 'When every effect was done; absent while some are still owed.' }),
  })
  .apply(meta, { id: 'Appeal' });

export const AppealPage = z
  .object({ items: z.array(Appeal), next: z.optional(z.string()).apply(meta, { description: 'Cursor of the next page; absent on the last.' }) })
  .apply(meta, { id: 'AppealPage' });

/** The appeals room's answers, by the name its route table gives them. */
export const APPEALS_RESPONSES = { MemberAppeal, Appeal, AppealPage } as const;
