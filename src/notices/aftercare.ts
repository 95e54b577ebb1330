import { appInstanceOf } from '../domain/arns.js';
import type { ModerationItem } from '../domain/item.js';
import type { CommunityPolicies } from '../domain/people.js';
import type { DecisionAftercare } from '../pipeline/decide.js';
import { decisionNoticeKind, decisionNoticeValues, noticeIdOf, noticeText, rulesPublicReason, strikeOf } from './compose.js';
import { AFTER_DELIVERY_CHECK_MS, INLINE_SEND_BUDGET_MS, type NoticeService } from './notices.js';
import type { NoticeRecord, NoticeStore } from './records.js';

/**
 * What follows a decision for the people in the chat (src/pipeline/decide.ts DecisionAftercare),
 * for every origin (the worker's AUTO, a moderator's, the sweeper's EXPIRY):
 *
 *   recorded (DECIDED, before the callback) ── a DENY or UPDATE: its notice recorded PENDING
 *        │                                     "after delivery", with the strike it carries
 *   delivered (Chime confirmed) ─────────────── the strike recorded, the notice sent now
 *   the deliverer crashed in between ───────── the sweeper task finds the record due and does
 *                                              the same (src/notices/sweeper-task.ts)
 *   the decision ended otherwise ───────────── the record is cancelled: never sent, no strike
 *   held (PENDING_REVIEW) ──────────────────── the `hold` notice (off by default)
 *
 * Idempotent: the notice's id comes from the decision, so a redelivered decision finds its record
 * and sends nothing twice (the send's ClientRequestToken is that id, too).
 */
export class NoticeAftercare implements DecisionAftercare {
  constructor(
    private readonly deps: {
      service: NoticeService;
      notices: NoticeStore;
      policies: CommunityPolicies;
      clock: { now(): number };
      /** Record strikes (a StrikeLedger is wired): otherwise none are carried. */
      carryStrikes: boolean;
    },
  ) {}

  async recorded(item: ModerationItem): Promise<void> {
    await this.prepare(item);
  }

  async delivered(item: ModerationItem): Promise<void> {
    const kind = item.decision && decisionNoticeKind(item.decision);
    if (!kind || this.isBot(item)) return;
    // Found when `recorded` wrote it; prepared now when it could not (or the decision predates this code).
    const record = (await this.deps.notices.get(noticeIdOf({ about: { kind: 'message', callbackId: item.callbackId }, kind, to: item.message.sender.arn }))) ?? (await this.prepare(item));
    if (!record) return;
    await this.deps.service.work(await this.deps.service.reopen(record), item, { budgetMs: INLINE_SEND_BUDGET_MS });
  }

  async held(item: ModerationItem): Promise<void> {
    if (this.isBot(item)) return;
    const policy = await this.deps.policies.forChannel(item.message.channelArn);
    const reason = rulesPublicReason(policy, item.policy?.ruleIds ?? []);
    await this.deps.service.announce({
      kind: 'hold',
      about: { kind: 'message', callbackId: item.callbackId },
      channelArn: item.message.channelArn,
      to: item.message.sender.arn,
      values: { reason },
    });
  }

  /** The record that must follow a DENY or UPDATE (its notice, its strike); undefined when nothing must. */
  private async prepare(item: ModerationItem): Promise<NoticeRecord | undefined> {
    const decision = item.decision;
    const kind = decision && decisionNoticeKind(decision);
    if (!kind || this.isBot(item)) return undefined;
    const policy = await this.deps.policies.forChannel(item.message.channelArn);
    const settings = policy.notices[kind];
    const strike = this.deps.carryStrikes ? strikeOf(policy, item, appInstanceOf(item.message.channelArn)) : undefined;
    if (!settings.enabled && !strike) return undefined;
    const request = { kind, about: { kind: 'message' as const, callbackId: item.callbackId }, channelArn: item.message.channelArn, to: item.message.sender.arn, values: {} };
    const record = this.deps.service.newRecord(request, noticeText(settings.text, decisionNoticeValues(policy, item)), {
      afterDelivery: { callbackId: item.callbackId },
      // The deliverer normally finishes it within seconds; the sweeper looks only if it did not.
      dueAt: this.deps.clock.now() + AFTER_DELIVERY_CHECK_MS,
      enabled: settings.enabled,
    });
    const { record: stored } = await this.deps.notices.create({ ...record, ...(strike ? { strike: { status: 'PENDING', strike } } : {}) });
    return stored;
  }

  private isBot(item: ModerationItem): boolean {
    return item.message.sender.arn === this.deps.service.botFor(item.message.channelArn);
  }
}
