import {
  CreateChannelBanCommand,
  DeleteChannelBanCommand,
  DeleteChannelMessageCommand,
  DescribeChannelBanCommand,
  GetChannelMessageCommand,
  RedactChannelMessageCommand,
  type ChimeSDKMessagingClient,
} from '@aws-sdk/client-chime-sdk-messaging';
import type { ChannelModeration, ModerationOutcome } from '../domain/ports.js';
import { ChimeActionError, ChimeBearerNotConfiguredError, type ChimeModerationOperation } from '../errors.js';
import { isTurnedAway, retryTurnedAway } from './chime-calls.js';

/**
 * Moderators' follow-up actions as Chime SDK Messaging calls, made as the configured ChimeBearer
 * (an AppInstanceAdmin, or a moderator of the channels, for bans and redactions; only an
 * AppInstanceAdmin may delete). The bearer is resolved per channel (`bearerFor` of
 * chime-channel-directory.ts: the setting may name the channel's own AppInstance).
 *
 * Each call follows the rule for answers that can be lost (BRIEF.md invariant 6):
 *
 *   call once (only 429 / 503, "turned away", is repeated in place)
 *     ├── answered yes ─────────────────────────────────▶ done (confirmed by the answer)
 *     ├── answered no, nothing of ours in doubt ─────────▶ ChimeActionError (refused)
 *     └── no answer, or any answer after one ─▶ read Chime's state back
 *           applied (banned / gone / redacted) ──────────▶ done (confirmed by read-back)
 *           not applied ──────────────────────────────────▶ call once more (then the same)
 *           unreadable ───────────────────────────────────▶ ChimeActionError UNCONFIRMED
 *
 * so a ban applied whose answer was lost is never read as "already banned" (the retry's 409), and
 * a deletion applied is never recorded FAILED (the retry's 404). Every call, read-backs included,
 * is one attempt on the one-attempt client, so a request's time stays inside the API's timeout.
 */
export class ChimeChannelModeration implements ChannelModeration {
  constructor(
    private readonly clients: { writes: ChimeSDKMessagingClient },
    private readonly bearer: (channelArn: string) => string | undefined,
  ) {}

  bearerFor(channelArn: string): string | undefined {
    return this.bearer(channelArn);
  }

  async ban(channelArn: string, memberArn: string, options: { inDoubt?: boolean } = {}): Promise<ModerationOutcome & { alreadyBanned?: boolean }> {
    const bearer = this.require('CreateChannelBan', channelArn);
    const target = { channelArn, memberArn };
    return this.settled<{ alreadyBanned?: boolean }>('CreateChannelBan', bearer, target, options, {
      call: async () => {
        await this.clients.writes.send(new CreateChannelBanCommand({ ChannelArn: channelArn, MemberArn: memberArn, ChimeBearer: bearer }));
        return { alreadyBanned: false };
      },
      // A member already banned, answered to our first attempt: a fact, and still a success.
      refusedButDone: (refusal) => (refusal === 'CONFLICT' ? { alreadyBanned: true } : undefined),
      readBack: async () => {
        await this.clients.writes.send(new DescribeChannelBanCommand({ ChannelArn: channelArn, MemberArn: memberArn, ChimeBearer: bearer }));
        return 'APPLIED';
      },
    });
  }

  /** Lifts a ban; read back with DescribeChannelBan, whose NotFound is a lift that happened. */
  async unban(channelArn: string, memberArn: string, options: { inDoubt?: boolean } = {}): Promise<ModerationOutcome & { notBanned?: boolean }> {
    const bearer = this.require('DeleteChannelBan', channelArn);
    return this.settled<{ notBanned?: boolean }>('DeleteChannelBan', bearer, { channelArn, memberArn }, options, {
      call: async () => {
        await this.clients.writes.send(new DeleteChannelBanCommand({ ChannelArn: channelArn, MemberArn: memberArn, ChimeBearer: bearer }));
        return { notBanned: false };
      },
      // A member not banned, answered to our first attempt: nothing to lift, and a fact.
      refusedButDone: (refusal) => (refusal === 'NOT_FOUND' ? { notBanned: true } : undefined),
      readBack: async () => {
        await this.clients.writes.send(new DescribeChannelBanCommand({ ChannelArn: channelArn, MemberArn: memberArn, ChimeBearer: bearer }));
        return 'NOT_APPLIED';
      },
      goneMeansApplied: true,
    });
  }

  async redact(channelArn: string, messageId: string, options: { inDoubt?: boolean } = {}): Promise<ModerationOutcome> {
    const bearer = this.require('RedactChannelMessage', channelArn);
    return this.settled('RedactChannelMessage', bearer, { channelArn, messageId }, options, {
      call: async () => {
        await this.clients.writes.send(new RedactChannelMessageCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: bearer }));
        return {};
      },
      readBack: async () => {
        const reply = await this.clients.writes.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: bearer }));
        return reply.ChannelMessage?.Redacted ? 'APPLIED' : 'NOT_APPLIED';
      },
    });
  }

  async delete(channelArn: string, messageId: string, options: { inDoubt?: boolean } = {}): Promise<ModerationOutcome> {
    const bearer = this.require('DeleteChannelMessage', channelArn);
    return this.settled('DeleteChannelMessage', bearer, { channelArn, messageId }, options, {
      call: async () => {
        await this.clients.writes.send(new DeleteChannelMessageCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: bearer }));
        return {};
      },
      readBack: async () => {
        await this.clients.writes.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: bearer }));
        return 'NOT_APPLIED';
      },
      // Read back, a message Chime no longer has is a deletion that happened.
      goneMeansApplied: true,
    });
  }

  /** The rule above, for one operation. `options.inDoubt`: an earlier request may have applied it (an idempotent replay). */
  private async settled<T extends object>(
    operation: ChimeModerationOperation,
    bearer: string,
    target: { channelArn: string; messageId?: string; memberArn?: string },
    options: { inDoubt?: boolean },
    op: {
      call: () => Promise<T>;
      readBack: () => Promise<'APPLIED' | 'NOT_APPLIED'>;
      refusedButDone?: (refusal: ChimeActionError['refusal']) => T | undefined;
      goneMeansApplied?: boolean;
    },
  ): Promise<T & ModerationOutcome> {
    let inDoubt = options.inDoubt === true;
    const readBack = async (answer?: unknown): Promise<'APPLIED' | 'NOT_APPLIED'> => {
      try {
        return await op.readBack();
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NotFoundException') return op.goneMeansApplied ? 'APPLIED' : 'NOT_APPLIED';
        // Neither the answer nor Chime's state tells: the outcome is unknown, and said to be.
        throw classify(operation, answer ?? error, bearer, target, 'UNCONFIRMED');
      }
    };
    if (inDoubt && (await readBack()) === 'APPLIED') return { ...({} as T), confirmedBy: 'read-back' };
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        return { ...(await retryTurnedAway(op.call)), confirmedBy: 'answer' };
      } catch (error) {
        const refused = classify(operation, error, bearer, target);
        if (!inDoubt && refused.refusal !== 'UNCONFIRMED') {
          const done = op.refusedButDone?.(refused.refusal);
          if (done) return { ...done, confirmedBy: 'answer' };
          throw refused;
        }
        // No answer, or an answer after a request of ours that may have been applied. The second
        // call's doubt is not read back here: the request's time is bounded (three Chime calls at
        // most), and a replay with the same Idempotency-Key settles it.
        if (attempt === 2) throw classify(operation, error, bearer, target, 'UNCONFIRMED');
        inDoubt = true;
        if ((await readBack(error)) === 'APPLIED') return { ...({} as T), confirmedBy: 'read-back' };
        // Read back, nothing of ours landed: the doubt is settled, and one more call is safe.
        inDoubt = false;
      }
    }
    throw new ChimeActionError(operation, 'UNCONFIRMED', 'NoAnswer', 'Chime did not confirm the call', bearer, target);
  }

  private require(operation: ChimeModerationOperation, channelArn: string): string {
    const bearer = this.bearer(channelArn);
    if (!bearer) throw new ChimeBearerNotConfiguredError(operation, channelArn);
    return bearer;
  }
}

const REFUSALS: Record<string, ChimeActionError['refusal']> = {
  NotFoundException: 'NOT_FOUND',
  ForbiddenException: 'FORBIDDEN',
  UnauthorizedClientException: 'FORBIDDEN',
  ConflictException: 'CONFLICT',
  BadRequestException: 'BAD_REQUEST',
  ResourceLimitExceededException: 'BUSY',
  // Anything else (ServiceFailureException, a timeout, a refused connection) is UNCONFIRMED:
  // Chime may or may not have acted.
};

function classify(
  operation: ChimeModerationOperation,
  error: unknown,
  bearer: string,
  target: { channelArn: string; messageId?: string; memberArn?: string },
  refusal?: ChimeActionError['refusal'],
): ChimeActionError {
  const err = error as { name?: string; message?: string; code?: string } | undefined;
  const errorType = err?.name && err.name !== 'Error' ? err.name : (err?.code ?? 'NetworkError');
  // Throttled or unavailable even after the in-place retries: Chime turned it away, unapplied.
  const kind = refusal ?? (isTurnedAway(error) ? 'BUSY' : (REFUSALS[errorType] ?? 'UNCONFIRMED'));
  return new ChimeActionError(operation, kind, errorType, err?.message ?? String(error), bearer, target, { cause: error });
}
