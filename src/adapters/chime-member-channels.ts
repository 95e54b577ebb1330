import { ListChannelMembershipsForAppInstanceUserCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';

/**
 * The channels a member belongs to (ListChannelMembershipsForAppInstanceUser, paged), read as the
 * configured bearer: what a ban across an AppInstance bans them from. Chime lets only an
 * AppInstanceAdmin list another user's channels, so the bearer must be one. A read: on the reads
 * client, whose SDK retries are harmless.
 */
export class ChimeMemberChannels {
  constructor(
    private readonly chime: ChimeSDKMessagingClient,
    private readonly bearer: (channelArn: string) => string | undefined,
  ) {}

  /**
   * At most `max` channels (in Chime's order); `complete: false` when there were more. `anyChannelArn`
   * is a channel of the member's AppInstance: the bearer setting may name that AppInstance.
   */
  async channelsOf(memberArn: string, anyChannelArn: string, max: number): Promise<{ channelArns: string[]; complete: boolean }> {
    const bearer = this.bearer(anyChannelArn);
    if (!bearer) throw new Error(`No ChimeBearer is configured for ListChannelMembershipsForAppInstanceUser in ${anyChannelArn} (CHIME_BEARER_ARN)`);
    const channelArns: string[] = [];
    let next: string | undefined;
    do {
      const page = await this.chime.send(
        new ListChannelMembershipsForAppInstanceUserCommand({ AppInstanceUserArn: memberArn, ChimeBearer: bearer, MaxResults: 50, ...(next ? { NextToken: next } : {}) }),
      );
      for (const membership of page.ChannelMemberships ?? []) {
        const arn = membership.ChannelSummary?.ChannelArn;
        if (arn && !channelArns.includes(arn)) channelArns.push(arn);
      }
      next = page.NextToken;
    } while (next && channelArns.length < max);
    return { channelArns: channelArns.slice(0, max), complete: !next && channelArns.length <= max };
  }
}
