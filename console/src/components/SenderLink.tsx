import { arnTail } from '../lib/problems';
import { onLinkClick, senderUrl } from '../router';

/**
 * A sender's name as a link to their record (strikes, restrictions, reports, notes): every item
 * that names a sender has one. `channel`: where the moderator came from, so the record's
 * restriction form starts in that channel.
 */
export function SenderLink(props: { arn: string; name?: string | undefined; channel?: string | undefined; class?: string }) {
  if (!props.arn) return <>{props.name ?? 'unknown sender'}</>;
  return (
    <a class={props.class ?? 'sender-link'} href={senderUrl(props.arn, props.channel)} onClick={onLinkClick} title={`${props.arn}: the sender’s record`}>
      {props.name || arnTail(props.arn)}
      <span class="visually-hidden"> (sender record)</span>
    </a>
  );
}
