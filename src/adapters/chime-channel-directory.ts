import { DescribeChannelCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { ChannelDirectory } from '../review/channel-names.js';

/**
 * Channel names from Chime's DescribeChannel, called as a configured AppInstanceUser (Chime
 * needs a bearer for every messaging read). The bearer setting may name the channel's own
 * AppInstance with `{appInstanceArn}`, e.g. `{appInstanceArn}/user/review-api`, so one setting
 * serves every AppInstance of the account. Errors propagate: CachedChannelNames turns them into
 * the fallback name.
 */
export const APP_INSTANCE_PLACEHOLDER = '{appInstanceArn}';

/** `arn:…:app-instance/ID/channel/CH` → `arn:…:app-instance/ID`. */
export const appInstanceOf = (channelArn: string): string | undefined => /^(arn:[^:]+:chime:[^:]*:\d{12}:app-instance\/[^/]+)\/channel\/[^/]+$/.exec(channelArn)?.[1];

export function bearerFor(setting: string | undefined): (channelArn: string) => string | undefined {
  if (!setting) return () => undefined;
  if (!setting.includes(APP_INSTANCE_PLACEHOLDER)) return () => setting;
  return (channelArn) => {
    const instance = appInstanceOf(channelArn);
    return instance ? setting.replaceAll(APP_INSTANCE_PLACEHOLDER, instance) : undefined;
  };
}

export class ChimeChannelDirectory implements ChannelDirectory {
  constructor(
    private readonly client: ChimeSDKMessagingClient,
    private readonly bearer: (channelArn: string) => string | undefined,
  ) {}

  async channelName(channelArn: string): Promise<string | undefined> {
    const bearer = this.bearer(channelArn);
    if (!bearer) return undefined;
    const reply = await this.client.send(new DescribeChannelCommand({ ChannelArn: channelArn, ChimeBearer: bearer }));
    return reply.Channel?.Name || undefined;
  }
}
