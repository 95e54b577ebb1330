import { DescribeChannelMembershipCommand, GetChannelMessageCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { ChimeReadError, type ChimeReadOperation } from '../errors.js';
import type { ChimeMessageView, ReportedMessages } from '../reports/ports.js';

/**
 * The reports room's reads of Chime (DescribeChannelMembership, GetChannelMessage) on the reads
 * client: both are idempotent, so the SDK's own retries of a throttled or unanswered read are
 * harmless. What Chime answers is sorted into three:
 *
 *   an answer ────────────────────────────────▶ the membership / the message
 *   NotFound, BadRequest (no such thing for
 *   this reader), or Forbidden to a reporter ─▶ not there (the room answers its one 404)
 *   Forbidden to our own bearer ──────────────▶ ChimeReadError FORBIDDEN (a configuration fault: 502)
 *   anything else, after the SDK's retries ───▶ ChimeReadError UNAVAILABLE (503: nothing stored)
 */
export class ChimeReportedMessages implements ReportedMessages {
  constructor(
    private readonly client: ChimeSDKMessagingClient,
    private readonly bearer: (channelArn: string) => string | undefined,
  ) {}

  bearerFor(channelArn: string): string | undefined {
    return this.bearer(channelArn);
  }

  async isMember(channelArn: string, memberArn: string, bearer: string): Promise<boolean> {
    try {
      const reply = await this.client.send(new DescribeChannelMembershipCommand({ ChannelArn: channelArn, MemberArn: memberArn, ChimeBearer: bearer }));
      return reply.ChannelMembership?.Member?.Arn === memberArn;
    } catch (error) {
      if (absent(error)) return false;
      throw readError('DescribeChannelMembership', error, bearer, channelArn);
    }
  }

  async read(channelArn: string, messageId: string, reader: string, options: { readerIsBearer: boolean }): Promise<ChimeMessageView | undefined> {
    try {
      const reply = await this.client.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: reader }));
      const m = reply.ChannelMessage;
      if (!m?.MessageId || !m.Sender?.Arn) return undefined;
      return {
        messageId: m.MessageId,
        channelArn: m.ChannelArn ?? channelArn,
        ...(m.Content !== undefined ? { content: m.Content } : {}),
        ...(m.Metadata !== undefined ? { metadata: m.Metadata } : {}),
        sender: { arn: m.Sender.Arn, ...(m.Sender.Name !== undefined ? { name: m.Sender.Name } : {}) },
        ...(m.Status?.Value !== undefined ? { status: m.Status.Value } : {}),
        redacted: m.Redacted === true,
        ...(m.CreatedTimestamp ? { createdTimestamp: m.CreatedTimestamp.toISOString() } : {}),
        ...(m.LastEditedTimestamp ? { lastEditedTimestamp: m.LastEditedTimestamp.toISOString() } : {}),
        ...(m.Target?.length ? { target: m.Target.map((t) => t.MemberArn ?? '').filter(Boolean) } : {}),
      };
    } catch (error) {
      if (absent(error) || (!options.readerIsBearer && nameOf(error) === 'ForbiddenException')) return undefined;
      throw readError('GetChannelMessage', error, reader, channelArn);
    }
  }
}

const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';
const absent = (error: unknown) => nameOf(error) === 'NotFoundException' || nameOf(error) === 'BadRequestException';

function readError(operation: ChimeReadOperation, error: unknown, bearer: string, channelArn: string): ChimeReadError {
  const name = nameOf(error);
  const errorType = name && name !== 'Error' ? name : ((error as { code?: string } | undefined)?.code ?? 'NetworkError');
  const refusal = name === 'ForbiddenException' || name === 'UnauthorizedClientException' ? 'FORBIDDEN' : 'UNAVAILABLE';
  return new ChimeReadError(operation, refusal, errorType, (error as Error | undefined)?.message ?? String(error), bearer, channelArn, { cause: error });
}
