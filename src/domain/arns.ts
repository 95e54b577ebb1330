/**
 * Chime ARNs as Chime issues them, one definition for every boundary that reads them: intake's
 * events, the review API's parameters, the policy scopes. Stricter than the model's ChimeArn:
 * every part is bounded, so the patterns are linear and never match more than a real ARN (the
 * AppInstance id is Chime's UUID form; the channel id is the model's ChannelId shape).
 */
const APP_INSTANCE = 'arn:aws[a-z-]{0,60}:chime:[a-z0-9-]{1,63}:\\d{12}:app-instance\\/[A-Za-z0-9-]{1,64}';

/** `arn:PARTITION:chime:REGION:ACCOUNT:app-instance/ID`. */
export const APP_INSTANCE_ARN_PATTERN = new RegExp(`^${APP_INSTANCE}$`);

/** `arn:PARTITION:chime:REGION:ACCOUNT:app-instance/ID/channel/ID`. */
export const CHANNEL_ARN_PATTERN = new RegExp(`^${APP_INSTANCE}\\/channel\\/[A-Za-z0-9](?:[A-Za-z0-9:_.@-]{0,62}[A-Za-z0-9])?$`);

/** `arn:PARTITION:chime:REGION:ACCOUNT:app-instance/ID/user/ID` or `…/bot/ID`: a channel member (a sender, a reporter, a bot). */
export const MEMBER_ARN_PATTERN = new RegExp(`^${APP_INSTANCE}\\/(?:user|bot)\\/[A-Za-z0-9](?:[A-Za-z0-9:_.@-]{0,62}[A-Za-z0-9])?$`);

/** The AppInstance ARN a channel's or a member's ARN is under. */
export const appInstanceOf = (arn: string): string => {
  const at = arn.indexOf('/', arn.indexOf(':app-instance/') + ':app-instance/'.length);
  return at < 0 ? arn : arn.slice(0, at);
};

/**
 * A setting that names a member of each AppInstance (`{appInstanceArn}/bot/moderation`), for the
 * AppInstance of `arn` (a channel's or a member's); a whole ARN is itself.
 */
export const forAppInstance = (setting: string, arn: string): string => setting.replaceAll('{appInstanceArn}', appInstanceOf(arn));

/**
 * MODERATION_BOT_ARN (one ARN, or one holding `{appInstanceArn}`): is this member the bot? Its
 * messages are notices: never evaluated, struck, restricted or banned.
 */
export const isModerationBot = (memberArn: string, setting: string | undefined): boolean => setting !== undefined && setting !== '' && memberArn === forAppInstance(setting, memberArn);
