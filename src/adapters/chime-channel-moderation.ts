import {
  CreateChannelBanCommand,
  DeleteChannelMessageCommand,
  RedactChannelMessageCommand,
  type ChimeSDKMessagingClient,
} from '@aws-sdk/client-chime-sdk-messaging';
import type { ChannelModeration } from '../domain/ports.js';
import { ChimeActionError, ChimeBearerNotConfiguredError, type ChimeModerationOperation } from '../errors.js';

/**
 * Moderators' follow-up actions as Chime SDK Messaging calls, made as the configured ChimeBearer
 * (an AppInstanceAdmin, or a moderator of the channels, for bans and redactions; only an
 * AppInstanceAdmin may delete). The bearer is resolved per channel (`bearerFor` of
 * chime-channel-directory.ts: the setting may name the channel's own AppInstance).
 *
 * Every refusal becomes a ChimeActionError that says what Chime answered; a ban of a member who
 * is banned already (ConflictException) is a success, so repeating a ban is harmless.
 */
export class ChimeChannelModeration implements ChannelModeration {
  constructor(
    private readonly client: ChimeSDKMessagingClient,
    private readonly bearer: (channelArn: string) => string | undefined,
  ) {}

  bearerFor(channelArn: string): string | undefined {
    return this.bearer(channelArn);
  }

  async ban(channelArn: string, memberArn: string): Promise<{ alreadyBanned: boolean }> {
    const bearer = this.require('CreateChannelBan', channelArn);
    try {
      await this.client.send(new CreateChannelBanCommand({ ChannelArn: channelArn, MemberArn: memberArn, ChimeBearer: bearer }));
      return { alreadyBanned: false };
    } catch (error) {
      const refused = classify('CreateChannelBan', error, bearer, { channelArn, memberArn });
      if (refused.refusal === 'CONFLICT') return { alreadyBanned: true };
      throw refused;
    }
  }

  async redact(channelArn: string, messageId: string): Promise<void> {
    const bearer = this.require('RedactChannelMessage', channelArn);
    try {
      await this.client.send(new RedactChannelMessageCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: bearer }));
    } catch (error) {
      throw classify('RedactChannelMessage', error, bearer, { channelArn, messageId });
    }
  }

  async delete(channelArn: string, messageId: string): Promise<void> {
    const bearer = this.require('DeleteChannelMessage', channelArn);
    try {
      await this.client.send(new DeleteChannelMessageCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: bearer }));
    } catch (error) {
      throw classify('DeleteChannelMessage', error, bearer, { channelArn, messageId });
    }
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
  // Chime turned the request away without acting on it.
  ThrottledClientException: 'BUSY',
  ServiceUnavailableException: 'BUSY',
  ResourceLimitExceededException: 'BUSY',
  // Anything else (ServiceFailureException, a timeout, a refused connection) is UNCONFIRMED:
  // Chime may or may not have acted.
};

function classify(operation: ChimeModerationOperation, error: unknown, bearer: string, target: { channelArn: string; messageId?: string; memberArn?: string }): ChimeActionError {
  const err = error as { name?: string; message?: string; code?: string } | undefined;
  const errorType = err?.name && err.name !== 'Error' ? err.name : (err?.code ?? 'NetworkError');
  return new ChimeActionError(operation, REFUSALS[errorType] ?? 'UNCONFIRMED', errorType, err?.message ?? String(error), bearer, target, { cause: error });
}
