import { ListChannelMessagesCommand, type ChannelMessageSummary, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { ContextAnswer, ContextRequest, ContextSource } from '../classifiers/context.js';
import { forAppInstance } from '../domain/arns.js';

/**
 * A classifier's context from Chime (src/classifiers/context.ts says why Chime and what it
 * costs): ListChannelMessages as the bearer, newest first, one page, on the reads client (a read
 * is safe to repeat), aborted at the message's `answerBy`.
 *
 * Kept: STANDARD messages with content, not redacted, not targeted (a targeted message is
 * private to two members: not the channel's conversation), not a moderation notice, not the
 * message itself (an edit's earlier version has the same MessageId), and, for `of: sender`, only
 * the sender's. Returned oldest first.
 */
export const SENDER_CONTEXT_PAGE = 50;
/** Read beyond `count` for the messages the filter drops (notices, redacted, the message's own earlier version). */
const CHANNEL_CONTEXT_SLACK = 5;

export class ChimeContextSource implements ContextSource {
  constructor(
    private readonly reads: ChimeSDKMessagingClient,
    /** The ChimeBearer: an ARN that may read the channel (MODERATION_BOT_ARN, CHIME_BEARER_ARN); `{appInstanceArn}` is filled in. */
    private readonly bearerArn: string,
  ) {}

  async previous(request: ContextRequest): Promise<ContextAnswer> {
    const { message } = request;
    const left = request.answerBy - Date.now();
    if (left <= 0) return { kind: 'UNAVAILABLE', message: 'no time left to read the context' };
    const max = request.of === 'sender' ? SENDER_CONTEXT_PAGE : Math.min(SENDER_CONTEXT_PAGE, request.count + CHANNEL_CONTEXT_SLACK);
    try {
      const out = await this.reads.send(
        new ListChannelMessagesCommand({
          ChannelArn: message.channelArn,
          ChimeBearer: forAppInstance(this.bearerArn, message.channelArn),
          SortOrder: 'DESCENDING',
          MaxResults: max,
        }),
        { abortSignal: AbortSignal.timeout(left) },
      );
      const texts = (out.ChannelMessages ?? [])
        .filter((m) => isConversation(m, request))
        .slice(0, request.count)
        .map((m) => m.Content!)
        .reverse();
      return { kind: 'READ', texts };
    } catch (error) {
      const err = error as { name?: string; message?: string };
      return { kind: 'UNAVAILABLE', message: `ListChannelMessages failed: ${err.name ?? 'Error'}: ${err.message ?? String(error)}` };
    }
  }
}

function isConversation(m: ChannelMessageSummary, request: ContextRequest): boolean {
  if (!m.Content || m.Redacted || (m.Target && m.Target.length > 0)) return false;
  if (m.Type !== undefined && m.Type !== 'STANDARD') return false;
  if (m.MessageId === request.message.messageId) return false;
  if (request.of === 'sender' && m.Sender?.Arn !== request.message.sender.arn) return false;
  return !isNotice(m.Metadata);
}

/** A moderation notice carries `{"moderation":{"notice":…}}` (src/notices/compose.ts noticeMetadata). */
function isNotice(metadata: string | undefined): boolean {
  if (!metadata || !metadata.includes('moderation')) return false;
  try {
    const parsed = JSON.parse(metadata) as { moderation?: { notice?: unknown } };
    return parsed.moderation?.notice !== undefined;
  } catch {
    return false;
  }
}
