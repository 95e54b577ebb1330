/**
 * Moderators' follow-up actions in Chime (ban a sender, redact or delete a sent message): which
 * ones a message allows, and how their outcomes read, in the item view and in the audit log.
 * Pure, so the wording is unit-tested; the actions themselves are the API's
 * (POST /reviews/{callbackId}/actions, POST /messages/redact, POST /messages/delete).
 */

export type FollowUpType = 'BAN_SENDER' | 'REDACT_MESSAGE' | 'DELETE_MESSAGE';

export const FOLLOW_UP_LABELS: Record<FollowUpType, string> = {
  BAN_SENDER: 'Ban sender',
  REDACT_MESSAGE: 'Redact',
  DELETE_MESSAGE: 'Delete',
};

/** What is acted on: a message (and, for a ban, the review item and its sender). */
export interface FollowUpTarget {
  channelArn: string;
  channelLabel: string;
  messageId: string;
  /** The item a ban is taken from (POST /reviews/{callbackId}/actions). */
  callbackId?: string | undefined;
  senderArn?: string | undefined;
  senderName?: string | undefined;
  /** Chime delivered it (status DELIVERED after ALLOW or UPDATE): only then can it be redacted or deleted. */
  sent: boolean;
}

/** A message Chime delivered: its item (or audit entry) is DELIVERED after an ALLOW or an UPDATE. */
export const wasSent = (status: string, action: string | undefined): boolean => status === 'DELIVERED' && (action === 'ALLOW' || action === 'UPDATE');

/** The actions this target allows, whoever asks (the view disables what the moderator may not do). */
export function availableActions(target: FollowUpTarget): FollowUpType[] {
  const out: FollowUpType[] = [];
  if (target.callbackId && target.senderArn) out.push('BAN_SENDER');
  if (target.sent) out.push('REDACT_MESSAGE', 'DELETE_MESSAGE');
  return out;
}

export const adminOnly = (type: FollowUpType): boolean => type !== 'BAN_SENDER';

/** What Confirm will do, said before it is done. */
export function consequence(type: FollowUpType, target: FollowUpTarget): string {
  const who = target.senderName ?? 'the sender';
  switch (type) {
    case 'BAN_SENDER':
      return `Ban ${who} from ${target.channelLabel}: Chime refuses their messages there until the ban is lifted in Chime. A ban is not a decision: a held message still waits for one.`;
    case 'REDACT_MESSAGE':
      return `Redact this message in ${target.channelLabel}: it stays in the channel, with its content removed for everyone.`;
    case 'DELETE_MESSAGE':
      return `Delete this message from ${target.channelLabel}: it is removed for everyone. This cannot be undone.`;
  }
}

/** The action as the audit log records it (the API's answer, and GET /decisions entries of kind ACTION). */
export interface ActionRecord {
  action: string;
  status: string;
  alreadyBanned?: boolean | undefined;
  chimeError?: { type: string; message: string } | undefined;
  sender: { arn: string; name?: string | undefined };
  target?: { memberArn?: string | undefined; messageId?: string | undefined } | undefined;
}

const memberOf = (record: ActionRecord) => record.sender.name || tail(record.target?.memberArn ?? record.sender.arn) || 'the sender';
const tail = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** A done action, in words: what Chime did. */
export function doneText(record: ActionRecord, channelLabel: string): string {
  switch (record.action) {
    case 'BAN_SENDER':
      return record.alreadyBanned
        ? `${memberOf(record)} was already banned from ${channelLabel}; nothing changed in Chime. The ban request is in the audit log.`
        : `Banned ${memberOf(record)} from ${channelLabel}. Chime now refuses their messages there.`;
    case 'REDACT_MESSAGE':
      return `Redacted: the message stays in ${channelLabel} with its content removed.`;
    case 'DELETE_MESSAGE':
      return `Deleted: the message is gone from ${channelLabel}.`;
    default:
      return 'Done.';
  }
}

/** An action's outcome as the audit log's status column says it. */
export function outcomeText(record: ActionRecord): string {
  switch (record.status) {
    case 'DONE':
      return record.action === 'BAN_SENDER' && record.alreadyBanned ? 'Done (already banned)' : 'Done';
    case 'FAILED':
      return `Failed: Chime answered ${record.chimeError ? `${record.chimeError.type}: ${record.chimeError.message}` : 'with an error'}`;
    case 'REQUESTED':
      return 'Requested; Chime’s answer is not known (check in Chime)';
    default:
      return record.status;
  }
}
